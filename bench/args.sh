# shellcheck shell=bash
# The options every namespace benchmark takes (bench/*.sh):
#
#   -n COUNT      how many (runs, flows: the script's own meaning)
#   -o OUT.json   where the figures go (none: printed only)
#   -g REVISION   the source revision recorded with them
#
# bench_args DEFAULT_COUNT "$@" sets count, out and rev.
bench_args() {
	local opt OPTIND=1

	count=$1 out= rev=unknown
	shift
	while getopts n:o:g: opt; do
		case $opt in
		n) count=$OPTARG ;;
		o) out=$OPTARG ;;
		g) rev=$OPTARG ;;
		*) exit 2 ;;
		esac
	done
}
