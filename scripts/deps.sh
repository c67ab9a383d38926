#!/usr/bin/env bash
# Installs the Debian packages that building, testing, benchmarking and the
# demo need. Idempotent: does nothing when everything is there.
set -euo pipefail

PACKAGES=(
	# build
	clang llvm gcc make pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
	libnl-3-dev libnl-route-3-dev libjson-c-dev linux-libc-dev
	# build: /metrics (userspace/daemon/metrics_server.c)
	libmicrohttpd-dev
	# build: AES for address anonymization (userspace/lib/cryptopan.c)
	libssl-dev
	# build: IPFIX encoding (userspace/lib/ipfix.c)
	libfixbuf-dev
	# tests, demo, benchmarks
	iproute2 iputils-ping iperf3 curl busybox-static ethtool jq util-linux
	tcpdump iputils-tracepath traceroute
	# tests: NAT behaviour discovery (RFC 5780), turnserver + turnutils_natdiscovery
	coturn
	# chutes: the OCI runtime and image unpacker
	crun umoci
	# tests: a VM with cgroup v2 alone (tests/integration/chute_cgroup2.sh)
	qemu-system-x86 cpio
	# benchmarks: the Linux baseline of the end-to-end NAT comparison
	nftables
	# tests: the firewall scanned from the internet side
	nmap python3
	# tests: /metrics checked by Prometheus' own promtool
	prometheus
	# tests: IPFIX collected by nfdump's nfcapd and decoded by tshark;
	# the test's certificates for IPFIX over TLS
	nfdump tshark openssl
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
