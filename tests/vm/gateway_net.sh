# shellcheck shell=bash
# Sourced in the VMs of tests/integration/chute_cgroup2.sh and probe_vm.sh:
# a home host (namespace home, 192.168.1.10 behind lan0) and an ISP
# (namespace isp, 203.0.113.2 behind wan0) around the VM's gateway, and
# /etc/hearth for its configuration.
ip netns add home && ip netns add isp
ip link add lan0 type veth peer name eth0 netns home
ip link add wan0 type veth peer name eth0 netns isp
ip addr add 192.168.1.1/24 dev lan0 && ip link set lan0 up
ip addr add 203.0.113.1/24 dev wan0 && ip link set wan0 up
ip -n home addr add 192.168.1.10/24 dev eth0
ip -n home link set eth0 up && ip -n home link set lo up
ip -n home route add default via 192.168.1.1
ip -n isp addr add 203.0.113.2/24 dev eth0 && ip -n isp link set eth0 up
# the home's addresses reach the ISP untranslated where NAT is off
ip -n isp route add 192.168.1.0/24 via 203.0.113.1
for ns in home isp; do
	# XDP redirect loses CHECKSUM_PARTIAL: hosts send full checksums; and
	# a veth takes redirected frames only with GRO on (turned on once up)
	ip netns exec $ns ethtool -K eth0 tx off gro on >/dev/null
done
echo 1 >/proc/sys/net/ipv4/ip_forward
mkdir -p /etc/hearth
