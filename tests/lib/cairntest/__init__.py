"""Cairn's test harness: QEMU machines, the Debian kernel, initramfs images.

    from cairntest import Machine, debian_kernel, Initramfs, BUILD, TOP
"""
from .paths import TOP, BUILD, CACHE, log_dir
from .kernel import debian_kernel, DebianKernel
from .initramfs import Initramfs
from .machine import Machine, MachineError, free_port

__all__ = ["TOP", "BUILD", "CACHE", "log_dir", "debian_kernel", "DebianKernel",
           "Initramfs", "Machine", "MachineError", "free_port"]
