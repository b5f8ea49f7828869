#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make run: the Cairn platform in QEMU.
#
# First run: installs the ISO unattended onto $BUILD/run/disk.qcow2 (64 GiB,
# sparse) with an answerfile; the root password is $CAIRN_ROOT_PASSWORD or a
# random one, kept in $BUILD/run/root-password (mode 0600) and printed. Every
# run then boots the installed disk (-accel tcg -cpu max, 4 GiB, 4 CPUs) with
# the API/web console on https://localhost:8443 and SSH on localhost:2222, in
# the foreground on the serial console; Ctrl-C stops QEMU.
# CAIRN_FIRMWARE=uefi boots with OVMF instead of SeaBIOS.
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
RUN=$BUILD/run
ISO=$BUILD/iso/cairn.iso
FW=${CAIRN_FIRMWARE:-bios}
API_PORT=${CAIRN_API_PORT:-8443}
SSH_PORT=${CAIRN_SSH_PORT:-2222}
mkdir -p "$RUN"

firmware() {
	if [ "$FW" = uefi ]; then
		cp -n /usr/share/OVMF/OVMF_VARS_4M.fd "$RUN/OVMF_VARS.fd"
		echo "-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd" \
			"-drive if=pflash,format=raw,file=$RUN/OVMF_VARS.fd"
	fi
}

install_disk() {
	pw=${CAIRN_ROOT_PASSWORD:-$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-14)}
	(umask 077 && printf '%s\n' "$pw" > "$RUN/root-password")
	cat > "$RUN/answerfile.xml" <<XML
<?xml version="1.0"?>
<installation mode="fresh">
  <primary-disk guest-storage="yes">vda</primary-disk>
  <root-password type="plaintext">$pw</root-password>
  <admin-interface name="eth0" proto="dhcp"/>
  <hostname>cairn</hostname>
  <timezone>UTC</timezone>
</installation>
XML
	rm -f "$RUN/answer.img" "$RUN/disk.qcow2.tmp"
	mkfs.vfat -C "$RUN/answer.img" 2048 -n CAIRN-ANS >/dev/null
	mcopy -i "$RUN/answer.img" "$RUN/answerfile.xml" ::answerfile.xml
	qemu-img create -q -f qcow2 "$RUN/disk.qcow2.tmp" 64G
	echo "run: installing $ISO onto $RUN/disk.qcow2 (unattended, a few minutes under TCG)"
	# shellcheck disable=SC2046
	qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 2 -display none -vga none -no-reboot \
		$(firmware) -boot d -cdrom "$ISO" \
		-drive "file=$RUN/disk.qcow2.tmp,format=qcow2,if=virtio" \
		-drive "file=$RUN/answer.img,format=raw,if=virtio" \
		-nic user,model=virtio-net-pci -serial stdio | tee "$RUN/install.log"
	grep -q "CAIRN-INSTALLER: complete" "$RUN/install.log" || {
		echo "run: the install failed; see $RUN/install.log" >&2; exit 1; }
	mv "$RUN/disk.qcow2.tmp" "$RUN/disk.qcow2"
	rm -f "$RUN/answer.img"
}

[ -f "$RUN/disk.qcow2" ] || install_disk
pw=$(cat "$RUN/root-password" 2>/dev/null || echo "(see $RUN/root-password)")
cat <<EOF2

  Cairn is booting in QEMU (serial console below; Ctrl-C stops it).
  Web console / XenAPI:  https://localhost:$API_PORT/   (self-signed certificate)
  xe:                    $BUILD/xapi-c/xe -s localhost -p $API_PORT -u root -pw '$pw' --no-verify host-list
  SSH (keys only):       ssh -p $SSH_PORT root@localhost   (add a key from the console first)
  Console login:         root / $pw
  Installed disk:        $RUN/disk.qcow2 (delete it to reinstall)

EOF2
# shellcheck disable=SC2046
exec qemu-system-x86_64 -accel tcg -cpu max -m 4G -smp 4 -display none -vga none \
	$(firmware) -drive "file=$RUN/disk.qcow2,format=qcow2,if=virtio" \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$API_PORT-:443,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" \
	-device virtio-net-pci,netdev=n0 \
	-chardev stdio,id=con0,signal=on -serial chardev:con0
