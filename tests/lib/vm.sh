# shellcheck shell=bash
# A throwaway VM for what these machines cannot be: a host with cgroup v2
# alone (they run hybrid cgroups, and a controller bound to a v1 hierarchy
# cannot be moved to v2 without unmounting the host's). Debian's cloud
# kernel is downloaded once into $VM_DIR (not installed), an initramfs is
# made of busybox and the binaries a test needs with their libraries, and
# qemu boots it under TCG: nested KVM hangs on these machines.
#
#   vm_kernel                    sets VM_KERNEL, VM_MODULES (or VM_WHY)
#   vm_root_init ROOT            busybox, the init, the kernel modules
#   vm_add_bin ROOT BIN...       binaries with the libraries they load
#   vm_boot ROOT CONSOLE SECS    boots ROOT/guest.sh, console to a file
#   vm_run ROOT CONSOLE GUEST    GUEST (tests/vm/) as ROOT/guest.sh with what
#                                guests source, booted; its result lines
#                                printed, a FAIL if it did not end

VM_DIR=${HEARTH_BUILD:-build}/vm
VM_MODULE_NAMES=(veth sch_ingress cls_bpf sch_htb)

vm_kernel() {
	local pkg
	VM_KERNEL=$(ls "$VM_DIR"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1)
	if [[ -z $VM_KERNEL ]]; then
		mkdir -p "$VM_DIR"
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			awk '/Depends: linux-image-/ { print $2; exit }')
		if [[ -z $pkg ]]; then
			VM_WHY="apt knows no linux-image-cloud-amd64"
			return 1
		fi
		# apt's own user cannot write here; the download works as root
		(cd "$VM_DIR" && rm -f ./*.deb &&
			{ apt-get download "$pkg" || { apt-get update -qq && apt-get download "$pkg"; }; } &&
			dpkg-deb -x ./*.deb kernel && rm -f ./*.deb) >/dev/null 2>&1
		VM_KERNEL=$(ls "$VM_DIR"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1)
		if [[ -z $VM_KERNEL ]]; then
			VM_WHY="cannot download $pkg"
			return 1
		fi
	fi
	VM_MODULES=$(ls -d "$VM_DIR"/kernel/lib/modules/* | head -n 1)
}

# Copies each binary and every library it loads into ROOT: a command name
# to the same path, a path (the project's build) to /usr/local/sbin.
vm_add_bin() {
	local root=$1 bin lib
	shift
	for bin in "$@"; do
		if [[ $bin == */* ]]; then
			install -D -m 755 "$bin" "$root/usr/local/sbin/$(basename "$bin")" || return 1
		else
			bin=$(command -v "$bin") || return 1
			cp -L --parents "$bin" "$root"
		fi
		for lib in $(ldd "$bin" 2>/dev/null | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }'); do
			[[ -e $root$lib ]] || cp -L --parents "$lib" "$root"
		done
	done
}

vm_root_init() {
	local root=$1 m f
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,run,tmp,mnt,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	for m in "${VM_MODULE_NAMES[@]}"; do
		f=$(find "$VM_MODULES" -name "$m.ko" | head -n 1)
		[[ -n $f ]] && cp "$f" "$root/lib/modules/"
	done
	# Stage one moves the initramfs onto a tmpfs (pivot_root, which crun
	# uses, cannot leave the initramfs root); stage two mounts what a
	# cgroup v2 host has, as systemd would, and runs the test.
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
if [ ! -e /.stage2 ]; then
	mount -t proc proc /proc
	mkdir /newroot && mount -t tmpfs -o size=80% tmpfs /newroot
	for f in /*; do
		case $f in /newroot|/proc|/sys|/dev) ;; *) cp -a "$f" /newroot/ ;; esac
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev && touch /newroot/.stage2
	umount /proc
	exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
for m in /lib/modules/*.ko; do insmod "$m"; done
ip link set lo up
echo "VM: $(uname -r), cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
bash /guest.sh
echo "VM: done"
poweroff -f
INIT
	chmod 755 "$root/init"
}

vm_boot() {
	local root=$1 console=$2 secs=$3 image
	image=$(mktemp)
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null) | gzip -1 >"$image"
	# One host thread runs both vCPUs: CI once saw both stuck for 500 s
	# in the guest kernel (a soft lockup during a chute's start) under
	# multi-threaded TCG, which six local runs did not reproduce; the
	# suspect is TCG's cross-thread emulation, which one thread avoids
	# (57 s here against 53). A lockup now panics the guest, which ends
	# qemu (-no-reboot) with the stack printed instead of waiting out
	# the timeout.
	timeout "$secs" qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 1536 -smp 2 \
		-nographic -no-reboot -net none -kernel "$VM_KERNEL" -initrd "$image" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 softlockup_panic=1" </dev/null >"$console" 2>&1
	local rc=$?
	rm -f "$image"
	return $rc
}

# The guest script @3 (with report.sh and gateway_net.sh beside it) run
# in the VM of @1, its console in @2: its PASS/FAIL/SKIP lines and the
# VM's own are printed as the test's, and a guest that did not end (a
# lockup, a timeout) is a failure with the guest kernel's last messages.
vm_run() {
	local root=$1 console=$2 vm_dir t0 rc
	vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../vm" && pwd)
	cp "$vm_dir/../lib/report.sh" "$root/report.sh"
	cp "$vm_dir/gateway_net.sh" "$root/gateway_net.sh"
	cp "$vm_dir/$3" "$root/guest.sh"
	t0=$SECONDS
	vm_boot "$root" "$console" 600
	rc=$?
	# the console without carriage returns and the firmware's escapes
	sed -i -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' "$console"
	grep -E '^(PASS|FAIL|SKIP|VM): |^  ' "$console"
	echo "  (the VM ran for $((SECONDS - t0)) s under TCG)"
	if ! grep -q '^VM: done' "$console"; then
		t_fail "the VM ran the test to its end" "qemu exit $rc; console: $(tail -n 5 "$console" | tr '\n' ' ')"
		# a soft lockup panics the guest (vm_boot), and a panic prints
		# its stack whatever the console's log level
		echo "  the guest kernel's last messages:"
		grep -E '^\[ *[0-9]+\.[0-9]+\]' "$console" | tail -n 80 | sed 's/^/    /'
	fi
}
