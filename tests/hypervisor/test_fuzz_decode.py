# SPDX-License-Identifier: GPL-2.0-only
"""The hypervisor's instruction decoder (hypervisor/lib/x86_decode.c) on
inputs nobody chose: libFuzzer + ASan + UBSan for about a minute (any crash,
sanitizer report or broken invariant fails), and its lengths against objdump's
over the C library, kernel modules and gcc's 32-bit code.

Both tools are built by `make -C hypervisor/tools all` (build/fuzz/x86_decode,
build/hypervisor/tools/x86len).
"""
import os
import re
import subprocess
import tempfile

from cairntest import BUILD, TOP

FUZZER = os.path.join(BUILD, "fuzz", "x86_decode")
SECONDS = 60


def test_fuzz_x86_decode(logdir):
    assert os.access(FUZZER, os.X_OK), f"{FUZZER} missing: run make -C hypervisor/tools all"
    with tempfile.TemporaryDirectory(prefix="fuzz-x86-") as corpus:
        # Seeds: a few real instructions (mode byte, register seed, bytes).
        seeds = [b"\x01\x10\x8b\x87\x00\x03\x00\x00", b"\x01\x10\x0f\x01\xd9",
                 b"\x00\x10\x67\x66\x8b\x4b\x12", b"\x01\x10\xc4\xc1\x7e\x7f\x00",
                 b"\x01\x10\x62\xd1\xfd\x48\x6f\xb3\x01\x00\x00\x00"]
        for i, s in enumerate(seeds):
            with open(os.path.join(corpus, f"seed{i}"), "wb") as f:
                f.write(s)
        proc = subprocess.run(
            [FUZZER, f"-max_total_time={SECONDS}", "-max_len=24", "-timeout=5",
             f"-artifact_prefix={logdir}/", corpus],
            capture_output=True, text=True, timeout=SECONDS + 120)
    log = proc.stderr
    with open(os.path.join(logdir, "fuzz.log"), "w") as f:
        f.write(log)
    assert proc.returncode == 0, f"fuzzer found a failure (see {logdir}):\n{log[-3000:]}"
    m = re.search(r"Done (\d+) runs", log)
    assert m and int(m.group(1)) > 100000, f"fuzzer barely ran:\n{log[-2000:]}"


X86LEN = os.path.join(BUILD, "hypervisor", "tools", "x86len")
LINE = re.compile(r"^\s*[0-9a-f]+:\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$", re.M)
# Kernel modules full of what the hypervisor meets in dom0: SVM/VMX instructions,
# MMIO accessors, and AVX/AVX2/AVX-512 (VEX, EVEX) crypto code.
MODULES = ["kvm", "kvm_amd", "kvm_intel", "aesni_intel", "camellia_aesni_avx2",
           "chacha_x86_64", "sha256_ssse3", "nhpoly1305_avx2", "e1000e", "virtio_net"]


def objdump_lines(path):
    out = subprocess.run(["objdump", "-d", "--insn-width=16", path], capture_output=True,
                         text=True, check=True).stdout
    return "".join(f"{m.group(1).strip()}\t{m.group(2)}\n" for m in LINE.finditer(out))


def check_lengths(lines, mode):
    proc = subprocess.run([X86LEN, mode], input=lines, capture_output=True, text=True,
                          timeout=120)
    m = re.search(r"total (\d+) wrong (\d+) errors (\d+)", proc.stdout)
    assert m, proc.stdout + proc.stderr
    assert proc.returncode == 0 and m.group(2) == "0" and m.group(3) == "0", proc.stdout[-4000:]
    return int(m.group(1))


def test_decoder_lengths_match_objdump(kernel, tmp_path):
    """x86_decode gives objdump's length for every instruction of the C library,
    of kernel modules (64-bit) and of 32-bit code gcc generates."""
    assert os.access(X86LEN, os.X_OK), f"{X86LEN} missing: run make -C hypervisor/tools all"
    paths = ["/lib/x86_64-linux-gnu/libc.so.6"]
    for name in MODULES:
        path = kernel.module_path(name)
        if path is None:
            continue
        if path.endswith(".xz"):
            import lzma
            dest = str(tmp_path / (name + ".ko"))
            with lzma.open(path) as src, open(dest, "wb") as out:
                out.write(src.read())
            path = dest
        paths.append(path)
    total64 = sum(check_lengths(objdump_lines(p), "64") for p in paths)
    assert total64 > 300000, total64

    lib = os.path.join(TOP, "hypervisor", "lib")
    lines32 = ""
    for flags in (["-O0"], ["-O2"], ["-O3", "-mavx2"], ["-O3", "-march=skylake-avx512"]):
        obj = str(tmp_path / "t32.o")
        subprocess.run(["gcc", "-m32", "-ffreestanding", *flags, "-c", "-o", obj,
                        os.path.join(lib, "x86_decode.c")], check=True)
        lines32 += objdump_lines(obj)
    assert check_lengths(lines32, "32") > 5000
