# shellcheck shell=bash
# The start every namespace test shares:
#
#   source "$(dirname "$0")/../lib/prologue.sh" NAME COMMAND...
#
# -u; $here, the test's folder; report.sh; a SKIP and exit 0 unless root
# with each COMMAND (t_require NAME COMMAND...); topo.sh; and topo_destroy
# on exit (a test with more to clean up sets its own trap, calling it).
set -u
here=$(dirname "$0")
source "$here/../lib/report.sh"
t_require "$@"
source "$here/../lib/topo.sh"
trap topo_destroy EXIT
