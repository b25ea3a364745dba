#!/usr/bin/env bash
# The Debian package, built, checked, installed, used and removed the way an operator would:
#   1. a lean Release build (the CLI and the libraries; no tests, examples, benchmarks or fuzz
#      targets) with Debian's hardening flags, configured for /usr; `cpack -G DEB`;
#   2. lintian: no error and no warning (overrides: packaging/debian/lintian-overrides, each
#      with its reason); the files every install needs are in the package;
#   3. `dpkg -i` (missing dependencies: apt-get -f install); the system user, the state
#      directory, the conffile; `systemd-analyze verify` of the installed units (systemd need
#      not run: it reads the files); `morph-webhook --version` names the version and commit;
#   4. a smoke test from the installed paths: the unit's own ExecStart (installed config) as the
#      morph-webhook user, an event posted with curl, worked off by `inbox work`, and a clean
#      drain on SIGTERM; then the package installed again over itself (an upgrade keeps a
#      changed conffile);
#   5. consumers built against the installed headers and libraries with find_package (nothing
#      on CMAKE_PREFIX_PATH: /usr is where CMake looks);
#   6. `dpkg --purge`: nothing of the package is left but the system user (see postrm).
# Runs as root (it installs a package). Variables:
#   PACKAGE_WORK   work directory (default: a temporary directory, removed at the end)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
if [ "$(id -u)" != 0 ]; then
  echo "package.sh installs a package: run it as root" >&2
  exit 1
fi
if [ -n "${PACKAGE_WORK:-}" ]; then
  work=$PACKAGE_WORK
  mkdir -p "$work"
  keep_work=1
else
  work=$(mktemp -d)
  keep_work=0
fi
MW_PID=""
installed=0
cleanup() {
  if [ -n "$MW_PID" ]; then kill -9 "$MW_PID" 2> /dev/null || true; fi
  # A failed run must not leave the package installed on the machine.
  if [ "$installed" = 1 ]; then dpkg --purge morph-webhook > /dev/null 2>&1 || true; fi
  if [ "$keep_work" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
start=$(date +%s)
note() { printf -- '---- package: %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }
fail() { echo "package.sh: $*" >&2; exit 1; }

for tool in cpack lintian dpkg-shlibdeps help2man systemd-analyze curl setpriv; do
  command -v "$tool" > /dev/null || fail "$tool is missing (.ci/run installs it)"
done
if dpkg-query -W -f='${Status}' morph-webhook 2>/dev/null | grep -q 'install ok installed'; then
  fail "morph-webhook is already installed on this machine: remove it first (dpkg --purge)"
fi

# ---- 1. build ---------------------------------------------------------------------------------
note "configure and build (Release, CLI and libraries)"
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
# Without -g: the package is stripped (no -dbgsym package), and the build is faster.
cxxflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS | sed 's/\(^\| \)-g\( \|$\)/ /')"
build=$work/build
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)" \
  -DMORPH_WEBHOOK_BUILD_TESTS=OFF -DMORPH_WEBHOOK_BUILD_EXAMPLES=OFF \
  -DMORPH_WEBHOOK_BUILD_BENCHMARKS=OFF -DMORPH_WEBHOOK_BUILD_FUZZ=OFF \
  -DMORPH_WEBHOOK_BUILD_TOOLS=ON -DMORPH_WEBHOOK_INSTALL=ON > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configure failed"; }
grep -E '^-- morph-webhook:' "$work/configure.log" || true
grep -q 'libsystemd .* found' "$work/configure.log" ||
  fail "libsystemd not found: the packaged serve would not notify systemd (Type=notify)"
cmake --build "$build" -j2 > "$work/build.log" 2>&1 || { tail -50 "$work/build.log"; fail "build failed"; }

note "cpack -G DEB"
(cd "$build" && cpack -G DEB > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
version=$(sed -n 's/^#define MORPH_WEBHOOK_VERSION_STRING "\(.*\)"/\1/p' include/morph/webhook/version.hpp)
arch=$(dpkg --print-architecture)
deb=$build/morph-webhook_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $deb (cpack made: $(ls "$build"/*.deb 2>/dev/null))"
ls -l "$deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Suggests

# ---- 2. lintian, contents ---------------------------------------------------------------------
note "lintian"
lintian --fail-on error,warning --display-info "$deb" | tee "$work/lintian.log" ||
  fail "lintian found errors or warnings"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/contents"
for path in /usr/bin/morph-webhook /etc/morph-webhook/morph-webhook.toml \
  /lib/systemd/system/morph-webhook.service /lib/systemd/system/morph-webhook-worker@.service \
  /usr/include/morph/webhook.hpp /usr/share/man/man1/morph-webhook.1.gz \
  /usr/share/man/man1/morph-webhook-serve.1.gz /usr/share/man/man1/morph-webhook-inbox-work.1.gz \
  /usr/share/doc/morph-webhook/copyright /usr/share/doc/morph-webhook/changelog.gz \
  /usr/share/doc/morph-webhook/production.md; do
  grep -qxF "$path" "$work/contents" || fail "$path is not in the package"
done
for glob in '/usr/lib/*/cmake/morph_webhook/morph_webhookConfig.cmake' \
  '/usr/lib/*/libmorph_webhook_sqlite.a' '/usr/lib/*/libmorph_webhook_redis.a'; do
  # shellcheck disable=SC2053  # $glob is a pattern
  grep -q "^${glob//\*/[^/]*}\$" "$work/contents" || fail "$glob is not in the package"
done
echo "man pages: $(grep -c '^/usr/share/man/man1/.*\.1\.gz$' "$work/contents")"

# ---- 3. install -------------------------------------------------------------------------------
note "dpkg -i"
installed=1
if ! dpkg -i "$deb" > "$work/dpkg.log" 2>&1; then
  cat "$work/dpkg.log"
  note "missing dependencies: apt-get -f install"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -f -y -qq --no-install-recommends < /dev/null
fi
dpkg-query -W -f='${Status}\n' morph-webhook | grep -q 'install ok installed' ||
  fail "morph-webhook is not installed"
uid=$(id -u morph-webhook) || fail "no morph-webhook user"
[ "$uid" -lt 1000 ] || fail "morph-webhook is not a system user (uid $uid)"
[ "$(stat -c '%U:%G %a' /var/lib/morph-webhook)" = "morph-webhook:morph-webhook 750" ] ||
  fail "/var/lib/morph-webhook: $(stat -c '%U:%G %a' /var/lib/morph-webhook)"
dpkg-query -W -f='${Conffiles}\n' morph-webhook | grep -q '/etc/morph-webhook/morph-webhook.toml' ||
  fail "the configuration is not a conffile"
printed=$(/usr/bin/morph-webhook --version)
echo "$printed"
commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
grep -q "^morph-webhook $version (commit $commit" <<<"$printed" ||
  fail "--version: '$printed', expected version $version and commit $commit"

note "systemd-analyze verify"
verify_dir=$work/units
mkdir -p "$verify_dir"
cp /lib/systemd/system/morph-webhook.service "$verify_dir/"
# A template is verified through an instance of it.
cp /lib/systemd/system/morph-webhook-worker@.service "$verify_dir/morph-webhook-worker@ci.service"
# Offline: systemd is not PID 1 here. Any message (unknown key, bad value, missing binary) fails.
if ! out=$(systemd-analyze verify "$verify_dir/morph-webhook.service" \
             "$verify_dir/morph-webhook-worker@ci.service" 2>&1) || [ -n "$out" ]; then
  echo "$out"
  fail "systemd-analyze verify complained"
fi
systemd-analyze security --offline=true "$verify_dir/morph-webhook.service" 2>/dev/null |
  tail -1 || true

# ---- 4. smoke test from the installed paths ---------------------------------------------------
note "the installed configuration: every key known, the commented defaults are the binary's"
config=/etc/morph-webhook/morph-webhook.toml
MW=/usr/bin/morph-webhook
"$MW" serve --config "$config" --print-config > "$work/config.effective" ||
  fail "serve refuses the installed configuration"
inbox=$(sed -n 's/^inbox = "\(.*\)"$/\1/p' "$work/config.effective")
[ "$inbox" = "sqlite:/var/lib/morph-webhook/inbox.db" ] || fail "the configured inbox is '$inbox'"
# Every commented "# key = value" line uncommented (not those "(not set)"): the binary must
# accept each key and value, and end up with exactly its own defaults.
sed -E 's/^# ([a-z][a-z0-9-]*) = ("|[0-9]|true|false)/\1 = \2/' "$config" > "$work/config.uncommented"
"$MW" serve --config "$work/config.uncommented" --print-config > "$work/config.all" ||
  fail "serve refuses the installed configuration's commented keys"
"$MW" serve --inbox "$inbox" --print-config > "$work/config.defaults"
diff "$work/config.defaults" "$work/config.all" ||
  fail "the commented values of $config are not serve's defaults"

note "serve (the unit's ExecStart, installed config) + inbox work, as morph-webhook"
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/morph-webhook.service)
[ -n "$exec_start" ] || fail "no ExecStart in the installed unit"
# The unit's User= and Group= (setpriv execs: SIGTERM reaches serve itself).
as_service="setpriv --reuid=morph-webhook --regid=morph-webhook --init-groups --"
# shellcheck source=../../examples/serve/serve_lib.sh
. examples/serve/serve_lib.sh
cd /var/lib/morph-webhook  # the unit's WorkingDirectory
# shellcheck disable=SC2086  # ExecStart is split at whitespace, as systemd does here
mw_start "$work/serve.log" $as_service $exec_start --port 0 ||
  fail "serve did not start from the installed configuration"
cd "$repo"
r=$(mw_post "$MW_BASE/webhooks/morph" package-smoke-1 examples/payloads/call-created.json)
[ "${r%% *}" = 200 ] || fail "POST: $r"
echo "POST: $r"
[ "$(stat -c %U "${inbox#sqlite:}")" = morph-webhook ] || fail "the inbox is not the service user's"
# As morph-webhook-worker@.service runs it: the configuration from MORPH_WEBHOOK_CONFIG.
handled=/var/lib/morph-webhook/handled.json
MORPH_WEBHOOK_CONFIG=$config $as_service "$MW" inbox work --until-empty -- \
  sh -c "cat >> $handled" > "$work/work.log" 2>&1 ||
  { cat "$work/work.log"; fail "inbox work failed"; }
cmp examples/payloads/call-created.json "$handled" || fail "the handler did not get the body posted"
stats=$($as_service "$MW" inbox stats --config "$config" --format json)
echo "stats: $stats"
grep -q '"ready":0,.*"acked_retained":1' <<<"$stats" || fail "the event is not acked: $stats"
mw_stop_serve || fail "serve did not exit 0 on SIGTERM: $(cat "$work/serve.log.err")"
MW_PID=""

note "docs/production.md: the blocks marked package-test: installed"
rm -f "$work"/doc-*.sh
awk -v dir="$work" '
  /^<!-- package-test: installed -->[ \t]*$/ { marked = 1; next }
  /^<!-- .* -->[ \t]*$/ { next }
  /^```sh[ \t]*$/ { if (marked) { n++; f = sprintf("%s/doc-%02d.sh", dir, n); inb = 1 } marked = 0; next }
  /^```/ { if (inb) close(f); inb = 0; next }
  inb { print > f; next }
  /[^ \t]/ { marked = 0 }
' docs/production.md
blocks=("$work"/doc-*.sh)
[ -e "${blocks[0]}" ] || fail "docs/production.md has no block marked package-test: installed"
for block in "${blocks[@]}"; do
  echo "$(basename "$block"):"
  sed 's/^/    /' "$block"
  bash -e "$block" < /dev/null > "$work/doc.out" 2>&1 || { cat "$work/doc.out"; fail "$block failed"; }
done
[ -s /etc/morph-webhook/secret ] && [ "$(stat -c '%U:%G %a' /etc/morph-webhook/secret)" = "root:morph-webhook 640" ] ||
  fail "the guide's secret file is not as it says"

note "install again over itself (upgrade path): a changed conffile is kept"
echo '# changed by the operator' >> /etc/morph-webhook/morph-webhook.toml
dpkg -i "$deb" > "$work/dpkg2.log" 2>&1 || { cat "$work/dpkg2.log"; fail "reinstall failed"; }
grep -q '^# changed by the operator$' /etc/morph-webhook/morph-webhook.toml ||
  fail "the reinstall replaced the changed configuration"
[ -s "$handled" ] || fail "the reinstall lost the state directory"

# ---- 5. consumers against the installed package -----------------------------------------------
note "find_package consumers against /usr"
for consumer in find_package sqlite redis; do
  cmake -S "tests/consumers/$consumer" -B "$work/consumer-$consumer" -DCMAKE_BUILD_TYPE=Release \
    > "$work/consumer-$consumer.log" 2>&1 &&
    cmake --build "$work/consumer-$consumer" -j2 >> "$work/consumer-$consumer.log" 2>&1 &&
    "$work/consumer-$consumer/consumer" >> "$work/consumer-$consumer.log" 2>&1 ||
    { cat "$work/consumer-$consumer.log"; fail "consumer $consumer failed"; }
  grep -m1 'consumer: found' "$work/consumer-$consumer.log" || true
  grep -q "/usr/lib/.*/cmake/morph_webhook" "$work/consumer-$consumer/CMakeCache.txt" ||
    fail "consumer $consumer did not use the installed package"
  echo "consumer $consumer: ok"
done

# ---- 6. purge -------------------------------------------------------------------------------
note "dpkg --purge"
dpkg --purge morph-webhook > "$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge failed"; }
installed=0
left=()
for path in /usr/bin/morph-webhook /etc/morph-webhook /var/lib/morph-webhook /usr/include/morph \
  /lib/systemd/system/morph-webhook.service /usr/share/doc/morph-webhook; do
  [ -e "$path" ] && left+=("$path")
done
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
dpkg-query -W -f='${Status}' morph-webhook 2>/dev/null | grep -q 'not-installed\|^$' ||
  [ -z "$(dpkg-query -W -f='${Status}' morph-webhook 2>/dev/null)" ] ||
  fail "dpkg still knows morph-webhook: $(dpkg-query -W -f='${Status}' morph-webhook)"
id morph-webhook > /dev/null || fail "the system user was removed (it is kept on purge)"
note "package built, checked, installed, used and purged"
