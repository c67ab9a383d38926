#!/usr/bin/env bash
# Checks that includes only go down the layers, and that no include cycle
# joins the modules of util/, userspace/lib/ and sandbox/.
#
#   scripts/check-layers.sh [ROOT]
#
# Prints one line per violation, "file:line: includes "X" (...)", and exits
# non-zero when there is any. There are no exceptions.
#
# The rules, folder -> the folders of ours it may include. "skel" is the
# generated build/skel/*.skel.h; "*" is anything. A file belongs to the
# first folder (longest prefix) that matches; "userspace" is hearthd and
# the CLI (userspace/daemon/, userspace/cli/): any subfolder but lib/.
RULES=(
	"maps          maps"
	"bpf           maps bpf"
	"util          maps util"
	"userspace/lib maps util userspace/lib skel"
	"sandbox       util sandbox"
	"userspace     maps bpf util userspace/lib sandbox userspace skel"
	"tests         *"
	"bench         *"
	"scripts       *"
)
# Folders whose modules (foo.c + foo.h) must not include each other in a
# circle, checked with tsort.
ACYCLIC=(util userspace/lib sandbox)

set -u -f # -f: "*" in RULES is a word, not a glob
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$root" || exit 2

declare -A allowed_of
for rule in "${RULES[@]}"; do
	read -r folder allowed <<<"$rule"
	allowed_of[$folder]=$allowed
done

# The folder (a RULES key) a path relative to the root belongs to, or "".
folder_of() {
	local path=$1 best="" folder
	for folder in "${!allowed_of[@]}"; do
		if [[ $path == "$folder"/* && ${#folder} -gt ${#best} ]]; then
			best=$folder
		fi
	done
	echo "$best"
}

violations=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

in_acyclic() {
	local f
	for f in "${ACYCLIC[@]}"; do
		[[ $1 == "$f"/* ]] && return 0
	done
	return 1
}

while IFS= read -r file; do
	from=$(folder_of "$file")
	[[ -n $from ]] || continue
	allowed=${allowed_of[$from]}
	dir=$(dirname "$file")
	while IFS=: read -r line inc; do
		target=$(realpath -m --relative-to="$root" "$dir/$inc")
		if [[ -e $target ]]; then
			to=$(folder_of "$target")
			[[ -n $to ]] || to=$target
		elif [[ $inc == *.skel.h && $inc != */* ]]; then
			to=skel
		else
			to="unresolved"
		fi
		if in_acyclic "$file" && in_acyclic "$target" &&
			[[ ${file%.[ch]} != "${target%.[ch]}" ]]; then
			echo "${file%.[ch]} ${target%.[ch]}" >>"$edges"
		fi
		ok=0
		for a in $allowed; do
			[[ $a == "*" || $a == "$to" ]] && ok=1
		done
		((ok)) && continue
		if [[ $to == unresolved ]]; then
			what="$file:$line: includes \"$inc\" (no such file)"
		else
			what="$file:$line: includes \"$inc\" ($from may not include $to)"
		fi
		echo "$what"
		violations=$((violations + 1))
	done < <(grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
		 sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1:\2/')
done < <(find maps bpf util userspace sandbox tests bench scripts -type f \
	      \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)

# tsort names the members of each loop it finds on stderr, one loop after
# each "input contains a loop:" line. A module is foo.c and foo.h together.
while read -r loop; do
	echo "modules in an include cycle: $loop"
	violations=$((violations + 1))
done < <(sort -u "$edges" | tsort 2>&1 >/dev/null | awk '
	/input contains a loop/ { if (loop != "") print loop; loop = ""; next }
	/^tsort: / { sub(/^tsort: /, ""); loop = loop (loop == "" ? "" : ", ") $0 }
	END { if (loop != "") print loop }')

if ((violations)); then
	echo "$violations layer violation(s)"
	exit 1
fi
exit 0
