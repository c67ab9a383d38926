#!/usr/bin/env bash
# Builds an OCI bundle from Debian's busybox-static: a web service (busybox
# httpd on port 80, serving /www and the latest reading) and a sensor-like
# loop writing a reading into /data every second.
#
#   sandbox/examples/busybox-chute.sh DIR [KEY=VALUE annotation]...
#
# DIR/config.json and DIR/rootfs are created (DIR must not exist).
set -euo pipefail

dir=${1:?usage: busybox-chute.sh DIR [io.hearth.KEY=VALUE]...}
shift
busybox=/bin/busybox
[[ -x $busybox ]] || { echo "busybox-chute: $busybox missing (apt install busybox-static)" >&2; exit 1; }
[[ ! -e $dir ]] || { echo "busybox-chute: $dir exists" >&2; exit 1; }

root=$dir/rootfs
mkdir -p "$root"/{bin,www,data,tmp,proc,sys,dev,etc}
cp "$busybox" "$root/bin/busybox"
for applet in sh httpd sleep date cat echo mkdir ls ps head dd yes nc; do
	ln -s busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
cat >"$root/www/index.html" <<'HTML'
<html><body><h1>hearth demo chute</h1><p>busybox httpd in a chute.</p></body></html>
HTML
cat >"$root/bin/chute-main" <<'SH'
#!/bin/sh
# the sensor: one reading a second into the chute's data directory, and
# the latest one served next to the page
mkdir -p /data/readings
( n=0; while :; do
	n=$((n + 1))
	echo "$(date +%s) reading $n" >>/data/readings/log
	echo "$(date +%s) reading $n" >/tmp/latest
	sleep 1
done ) &
echo "chute: serving on port 80"
exec httpd -f -p 80 -h /www
SH
chmod 755 "$root/bin/chute-main"

annotations='"io.hearth.forward": "tcp:8080:80", "io.hearth.memory": "32M", "io.hearth.pids": "64", "io.hearth.cpus": "0.5"'
for kv in "$@"; do
	annotations+=", \"${kv%%=*}\": \"${kv#*=}\""
done
cat >"$dir/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "/bin/chute-main" ],
		"env": [ "PATH=/bin", "CHUTE=demo" ],
		"cwd": "/",
		"capabilities": {
			"bounding": [ "CAP_NET_BIND_SERVICE", "CAP_KILL" ],
			"effective": [ "CAP_NET_BIND_SERVICE", "CAP_KILL" ],
			"permitted": [ "CAP_NET_BIND_SERVICE", "CAP_KILL" ]
		},
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs", "readonly": true },
	"hostname": "chute",
	"annotations": { $annotations }
}
JSON
