package gitserver

// The hooks are plain POSIX shell scripts so that they run wherever git
// does, with no helper binary to build. Both read the repository's
// confFile on every push, which is what lets Protect, Unprotect and
// DelayPushes take effect while the server runs.
//
// confFile holds one setting a line:
//
//	url <base URL of the repository, for GH013's "Review all repository rules at">
//	delay <seconds, as sleep(1) takes them>
//	protect <branch pattern> <rule keyword>

// confFile is the name of the hooks' settings file inside a bare repository.
const confFile = "gitserver.conf"

// preReceiveHook waits the configured delay after git has received the
// pack and before any ref is updated, so concurrent pushers race for the
// ref lock the way they do on a busy GitHub repository.
const preReceiveHook = `#!/bin/sh
# Written by shipkit's test/gitserver: delays pushes (DelayPushes).
conf="${GIT_DIR:-.}/` + confFile + `"
cat >/dev/null
[ -f "$conf" ] || exit 0
while read -r key value rest; do
	if [ "$key" = delay ]; then
		sleep "$value"
	fi
done <"$conf"
exit 0
`

// procReceiveHook sees every branch update (receive.procReceiveRefs is
// refs/heads/). It rejects updates of protected branches with GitHub's
// messages and status reasons, and hands every other update back to
// receive-pack ("option fall-through"), which then checks and applies it
// exactly as it would without the hook. A pre-receive hook could reject
// too, but git would then report "pre-receive hook declined" where GitHub
// reports "protected branch hook declined", and clients such as go-git see
// only that reason.
//
// The protocol is documented in githooks(5), section proc-receive.
const procReceiveHook = `#!/bin/sh
# Written by shipkit's test/gitserver: plays GitHub's branch protection
# (Protect) and repository rulesets.
LC_ALL=C
export LC_ALL
conf="${GIT_DIR:-.}/` + confFile + `"
zero=0000000000000000000000000000000000000000

# readpkt reads one pkt-line into $pkt; it fails on a flush-pkt.
readpkt() {
	len=$(dd bs=1 count=4 2>/dev/null)
	if [ ${#len} -ne 4 ]; then
		echo "gitserver: proc-receive: unexpected end of input" >&2
		exit 1
	fi
	[ "$len" = 0000 ] && return 1
	pkt=$(dd bs=1 count=$((0x$len - 4)) 2>/dev/null | tr '\000' ' ')
	return 0
}

# writepkt writes its argument as one pkt-line.
writepkt() {
	printf '%04x%s\n' $((${#1} + 5)) "$1"
}

# Version negotiation: no features (no push options, no atomic).
while readpkt; do :; done
writepkt version=1
printf 0000

cmds=
while readpkt; do
	cmds="$cmds$pkt
"
done

url=
rules=
if [ -f "$conf" ]; then
	while read -r key a b; do
		case $key in
		url) url=$a ;;
		protect) rules="$rules$a $b
" ;;
		esac
	done <"$conf"
fi

# unsigned prints the commits an update adds to a branch that carry no
# signature. Signatures are not verified.
unsigned() {
	[ "$2" = "$zero" ] && return 0
	if [ "$1" = "$zero" ]; then
		set -- "$2" --not --all
	else
		set -- "$2" --not "$1"
	fi
	git rev-list "$@" 2>/dev/null | while read -r c; do
		git cat-file commit "$c" | sed '/^$/q' | grep -q '^gpgsig' || echo "$c"
	done
}

printf '%s' "$cmds" | {
	while read -r old new ref; do
		[ -n "$ref" ] || continue
		branch=${ref#refs/heads/}
		rule=
		while read -r pattern r; do
			[ -n "$pattern" ] || continue
			case $branch in
			$pattern) rule=$r; break ;;
			esac
		done <<RULES
$rules
RULES
		if [ "$rule" = signatures ] && [ -z "$(unsigned "$old" "$new" </dev/null)" ]; then
			rule=
		fi
		case $rule in
		"")
			writepkt "ok $ref"
			writepkt "option fall-through"
			continue
			;;
		ruleset)
			enc=$(printf '%s' "$ref" | sed 's|%|%25|g; s|/|%2F|g')
			{
				echo "error: GH013: Repository rule violations found for $ref."
				echo "Review all repository rules at $url/rules?ref=$enc"
				echo
				echo "- Changes must be made through a pull request."
				echo
			} >&2
			writepkt "ng $ref push declined due to repository rule violations"
			continue
			;;
		pull-request) text="Changes must be made through a pull request." ;;
		status-checks) text="1 of 1 required status checks are expected." ;;
		signatures) text="Commits must have verified signatures." ;;
		*) text="Branch protection rule \"$rule\" is unknown to the test server." ;;
		esac
		{
			echo "error: GH006: Protected branch update failed for $ref."
			echo
			echo "- $text"
		} >&2
		writepkt "ng $ref protected branch hook declined"
	done
	printf 0000
}
exit 0
`
