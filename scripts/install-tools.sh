#!/usr/bin/env bash
# Install the tools promrules is tested with into a tools folder (default .tools/):
#
#   .tools/promtool-2/promtool   promtool 2.42 (Debian 12's `prometheus` package)
#   .tools/promtool-3/promtool   promtool 3.x  (Debian sid's `promtool` package)
#   .tools/bin/promtool          the default one, 3.x; the plugin picks it up from the
#                                project root as "the promtool the project's set-up installed"
#   .tools/bin/amtool, alertmanager, prometheus   Debian 12's Alertmanager 0.25 and Prometheus 2.42
#
# Usage: scripts/install-tools.sh [TOOLS_DIR]
#
# Nothing is installed system-wide and nothing is started. On Debian the packages are
# fetched with `apt-get download` through a private apt state in a temporary folder
# (the system's sources, package lists, cache and dpkg database are not touched) and
# unpacked with `dpkg-deb -x`: no maintainer scripts run, so no prometheus or
# alertmanager service is installed, enabled or started. apt still checks every
# package against the archive's signed index; only the index's freshness is not
# required (Check-Valid-Until/Check-Date off for this lookup), because a snapshot or
# a stale mirror of sid serves an index whose Valid-Until has passed.
#
# If that path fails (or off Debian, or with PROMRULES_TOOLS_FROM=release) it downloads
# the official Prometheus release archives and refuses any archive whose sha256 is not
# the one pinned below. PROMRULES_TOOLS_FROM=debian makes a Debian failure fatal.
#
# Running it again is cheap: whatever is already in place is kept.
set -euo pipefail

# --- Pinned versions ---------------------------------------------------------------
# Debian: the exact `promtool` package version taken from sid. If sid has moved on and
# no longer has it, the newest 3.x promtool there is used instead, with a warning.
PROMTOOL3_DEB_VERSION="3.5.3+ds1-6"
PROMTOOL3_SUITE="sid"
KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"

# Elsewhere: official release archives prometheus-<version>.linux-<arch>.tar.gz.
# The sums are those of the release's sha256sums.txt (as recorded in the pinned
# checksums of cashapp/hermit-packages' prometheus.hcl). A missing sum means
# "refuse to install": never an unverified download.
RELEASE2="2.42.0"
RELEASE3="3.5.0"
declare -A RELEASE_SHA256=(
  ["2.42.0-amd64"]="422dab055ed9c7bcaff52b718705f9192c6fac0de6b7e78dd278e70ee2663dcc"
  ["2.42.0-arm64"]="b947e4890d221f6b1d09c963fd0440720f2b5d08c29e190d6365f4b3d3e92a9d"
  ["3.5.0-amd64"]="e811827af26d822afb09a4f28314f61b618b12cff5369835a67f674d8b46f39a"
  ["3.5.0-arm64"]="173389cc42bf09c4e6e54cb53fa07a5a835d7c261e14775d2183181d6e385d1c"
)
RELEASE_BASE="${PROMRULES_RELEASE_BASE:-https://github.com/prometheus/prometheus/releases/download}"

FROM="${PROMRULES_TOOLS_FROM:-auto}"
case "$FROM" in
  auto | debian | release) ;;
  *) echo "install-tools: error: PROMRULES_TOOLS_FROM=$FROM: use auto, debian or release" >&2; exit 2 ;;
esac

say() { echo "install-tools: $*"; }
die() { echo "install-tools: error: $*" >&2; exit 1; }

TOOLS="${1:-.tools}"
mkdir -p "$TOOLS/bin" "$TOOLS/promtool-2" "$TOOLS/promtool-3"
TOOLS="$(cd "$TOOLS" && pwd)"

# One scratch folder for the whole run, removed on every exit.
SCRATCH=$(mktemp -d)
# shellcheck disable=SC2064
trap "rm -rf '$SCRATCH'" EXIT

# The first line of `promtool --version`, e.g. "promtool, version 3.5.3+ds1 (...)".
tool_version() { "$1" --version 2>&1 | head -n1; }

# has_tool FILE VERSION: FILE is a real file of ours (not a link into /usr/bin left by
# older set-ups) and reports VERSION.
has_tool() {
  [ -f "$1" ] && [ ! -L "$1" ] && [ -x "$1" ] && tool_version "$1" | grep -q "version $2"
}

is_debian() {
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  (. /etc/os-release && [ "${ID:-}" = debian ]) &&
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null && [ -r "$KEYRING" ]
}

debian_codename() {
  # shellcheck disable=SC1091
  (. /etc/os-release && echo "${VERSION_CODENAME:-stable}")
}

# --- Debian -------------------------------------------------------------------------
# The functions of this part never exit: they return 1 with WHY set, so that the
# caller can fall back to the release archives and say what was tried.
WHY=""

debian_source_uri() {
  # The machine's own Debian mirror, read from its apt configuration (never hard-coded):
  # the URIs: of the first deb822 stanza that is not the security archive, else the
  # first non-security `deb` line of sources.list.
  local uri="" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '
      function flush() { if (uris != "" && suites !~ /security/ && types ~ /(^| )deb( |$)/) { print uris; found = 1; exit } uris = suites = types = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/   { uris = $2 }
      /^Suites:/ { suites = $0 }
      /^Types:/  { types = $0 }
      END { if (!found) flush() }' "$f")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      uri=$(awk '$1 == "deb" && $0 !~ /security/ {
                   for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' "$f")
      [ -n "$uri" ] && break
    done
  fi
  echo "$uri"
}

# A private apt state under $SCRATCH/apt for the machine's suite and sid: set up once,
# then APT_OPTS makes apt-get/apt-cache use only it.
APT_OPTS=()
APT_LOG="$SCRATCH/apt.log"
APT_FAILED=""   # why the private state could not be set up; not retried
apt_private() {
  [ "${#APT_OPTS[@]}" -gt 0 ] && return 0
  [ -n "$APT_FAILED" ] && { WHY="$APT_FAILED"; return 1; }
  local uri codename dir="$SCRATCH/apt"
  uri=$(debian_source_uri)
  [ -n "$uri" ] || { WHY="no Debian mirror in the apt configuration (/etc/apt/sources.list*)"; return 1; }
  codename=$(debian_codename)
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
  {
    echo "deb [signed-by=$KEYRING] $uri $codename main"
    echo "deb [signed-by=$KEYRING] $uri $PROMTOOL3_SUITE main"
  } >"$dir/sources.list"
  local opts=(
    -o "Dir::Etc::SourceList=$dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
    -o "Dir::State::Status=/var/lib/dpkg/status"
    # Signatures are checked as always; an index past its Valid-Until (or dated
    # after this machine's clock) is accepted for this lookup only.
    -o "Acquire::Check-Valid-Until=false" -o "Acquire::Check-Date=false"
  )
  # apt's download helpers run as _apt, who cannot write to root's private mktemp dir.
  [ "$(id -u)" -eq 0 ] && opts+=(-o "APT::Sandbox::User=root")
  say "reading Debian's package index for $codename and $PROMTOOL3_SUITE from $uri (private apt state; the system's apt is left alone)"
  if ! apt-get "${opts[@]}" update -qq >>"$APT_LOG" 2>&1; then
    WHY="apt-get update of $codename and $PROMTOOL3_SUITE from $uri failed: $(apt_tail)"
    APT_FAILED="$WHY"
    return 1
  fi
  APT_OPTS=("${opts[@]}")
}

# The last apt error lines, on one line.
apt_tail() { grep -E '^(E|W):' "$APT_LOG" | tail -n 3 | tr '\n' ' '; }

# deb_fetch SPEC...: download the packages (name/suite or name=version) into the
# private state's debs/ and unpack each into $SCRATCH/root; no maintainer scripts run.
deb_fetch() {
  local dir="$SCRATCH/apt/debs" deb
  rm -f "$dir"/*.deb
  if ! (cd "$dir" && apt-get "${APT_OPTS[@]}" download -qq "$@") >>"$APT_LOG" 2>&1; then
    WHY="apt-get download $* failed: $(apt_tail)"
    return 1
  fi
  for deb in "$dir"/*.deb; do
    dpkg-deb -x "$deb" "$SCRATCH/root" || { WHY="dpkg-deb -x $(basename "$deb") failed"; return 1; }
  done
}

# take FILE_IN_PACKAGE TARGET: copy an unpacked binary into the tools folder.
take() {
  [ -x "$SCRATCH/root/$1" ] || { WHY="$1 is not in the unpacked packages"; return 1; }
  rm -f "$2"
  install -m 0755 "$SCRATCH/root/$1" "$2"
}

# Debian's Alertmanager build reads its default notification templates from this
# fixed folder and exits at start-up without them; the package puts them there,
# but the binary is only unpacked here, so the folder is copied from the package.
AM_TEMPLATES=/usr/share/prometheus/alertmanager

am_templates() {
  [ -r "$AM_TEMPLATES/default.tmpl" ] && return 0
  [ -r "$SCRATCH/root$AM_TEMPLATES/default.tmpl" ] ||
    { WHY="$AM_TEMPLATES/default.tmpl is not in the unpacked prometheus-alertmanager package"; return 1; }
  if ! { mkdir -p "$AM_TEMPLATES" && cp -R "$SCRATCH/root$AM_TEMPLATES/." "$AM_TEMPLATES/"; } 2>/dev/null; then
    say "warning: could not write $AM_TEMPLATES (not root?): Debian's Alertmanager will not start; run this as root, or set ALERTMANAGER to an upstream release binary"
    return 0
  fi
  say "Alertmanager's default templates copied into $AM_TEMPLATES (Debian's build needs them there)"
}

debian_tools2() {
  # promtool 2.42, amtool, Alertmanager 0.25 and Prometheus 2.42 from the machine's suite.
  if has_tool "$TOOLS/promtool-2/promtool" "2." && has_tool "$TOOLS/bin/amtool" "" &&
    has_tool "$TOOLS/bin/alertmanager" "" && has_tool "$TOOLS/bin/prometheus" "2." &&
    [ -r "$AM_TEMPLATES/default.tmpl" ]; then
    return 0
  fi
  apt_private || return 1
  local codename
  codename=$(debian_codename)
  say "promtool 2.42, amtool, Alertmanager, Prometheus: downloading Debian $codename's prometheus and prometheus-alertmanager packages and unpacking them into $TOOLS (not installed: no services)"
  deb_fetch "prometheus/$codename" "prometheus-alertmanager/$codename" || return 1
  take usr/bin/promtool "$TOOLS/promtool-2/promtool" || return 1
  take usr/bin/prometheus "$TOOLS/bin/prometheus" || return 1
  take usr/bin/amtool "$TOOLS/bin/amtool" || return 1
  take usr/bin/prometheus-alertmanager "$TOOLS/bin/alertmanager" || return 1
  am_templates || return 1
  case "$(tool_version "$TOOLS/promtool-2/promtool")" in
    *"version 2.42."*) ;;
    *) say "warning: Debian $codename's promtool is not 2.42: $(tool_version "$TOOLS/promtool-2/promtool")" ;;
  esac
}

debian_promtool3() {
  local target="$TOOLS/promtool-3/promtool"
  local want="${PROMTOOL3_DEB_VERSION%%-*}"   # 3.5.3+ds1-6 -> 3.5.3+ds1
  has_tool "$target" "$want " && return 0
  apt_private || return 1
  local version="$PROMTOOL3_DEB_VERSION" versions
  # "promtool | 3.5.3+ds1-6 | <mirror> sid/main amd64 Packages" -> 3.5.3+ds1-6
  versions=$(apt-cache "${APT_OPTS[@]}" madison promtool 2>>"$APT_LOG" |
    awk -F'|' -v suite=" $PROMTOOL3_SUITE/" 'index($3, suite) {gsub(/ /, "", $2); print $2}')
  if ! grep -qxF "$version" <<<"$versions"; then
    # sid keeps only its newest version: take that one if it is still a 3.x.
    version=$(head -n1 <<<"$versions")
    case "$version" in
      3.*) say "warning: promtool $PROMTOOL3_DEB_VERSION is no longer in $PROMTOOL3_SUITE; using $version (update PROMTOOL3_DEB_VERSION)" ;;
      *) WHY="Debian $PROMTOOL3_SUITE has no promtool $PROMTOOL3_DEB_VERSION and no other 3.x (found: ${version:-none})"; return 1 ;;
    esac
  fi
  say "promtool 3: downloading Debian $PROMTOOL3_SUITE's promtool $version and unpacking it into $TOOLS/promtool-3 (the 3.x lane of make test, and the default promtool)"
  deb_fetch "promtool=$version" || return 1
  take usr/bin/promtool "$target"
}

# --- Elsewhere: official release archives -------------------------------------------

fetch_url() {
  if command -v curl >/dev/null; then
    curl -fsSL --retry 2 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null; then
    wget -q -T 20 -O "$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

release_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) echo amd64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) uname -m ;;
  esac
}

# install_release VERSION TARGET_DIR [EXTRA_BINARY...]: promtool (and the extra binaries)
# of prometheus-VERSION.linux-ARCH.tar.gz into TARGET_DIR, after checking its sha256.
install_release() {
  local version="$1" target="$2"
  shift 2
  has_tool "$target/promtool" "$version " && return 0
  [ "$(uname -s)" = Linux ] || die "only Linux release archives are pinned; install promtool $version yourself and set PROMTOOL"
  local arch sum name tmp="$SCRATCH/release"
  arch=$(release_arch)
  sum="${RELEASE_SHA256[$version-$arch]:-}"
  if [ -z "$sum" ]; then
    die "no pinned sha256 for prometheus $version linux-$arch: refusing an unverified download.
  Install promtool $version yourself and point PROMTOOL at it, or pin its sum in $0."
  fi
  name="prometheus-$version.linux-$arch"
  rm -rf "$tmp" && mkdir -p "$tmp"
  say "promtool $version: downloading $name.tar.gz from $RELEASE_BASE (sha256-pinned)"
  fetch_url "$RELEASE_BASE/v$version/$name.tar.gz" "$tmp/$name.tar.gz" ||
    die "could not download $RELEASE_BASE/v$version/$name.tar.gz${TRIED:+ (after: $TRIED)}"
  local got
  got=$(sha256sum "$tmp/$name.tar.gz" | cut -d' ' -f1)
  [ "$got" = "$sum" ] ||
    die "$name.tar.gz has sha256 $got, not the pinned $sum: refused, nothing installed"
  local members=("$name/promtool") extra
  for extra in "$@"; do members+=("$name/$extra"); done
  tar -xzf "$tmp/$name.tar.gz" -C "$tmp" "${members[@]}"
  rm -f "$target/promtool" && install -m 0755 "$tmp/$name/promtool" "$target/promtool"
  for extra in "$@"; do rm -f "$target/$extra" && install -m 0755 "$tmp/$name/$extra" "$target/$extra"; done
}

release_tools2() {
  install_release "$RELEASE2" "$TOOLS/promtool-2" prometheus
  ln -sfn ../promtool-2/prometheus "$TOOLS/bin/prometheus"
  if [ ! -e "$TOOLS/bin/amtool" ]; then
    if command -v amtool >/dev/null; then
      ln -sfn "$(command -v amtool)" "$TOOLS/bin/amtool"
    else
      say "note: amtool/Alertmanager are not installed by this path (Debian only); set AMTOOL or put amtool on PATH for the Alertmanager checks"
    fi
  fi
}

release_tools3() { install_release "$RELEASE3" "$TOOLS/promtool-3"; }

# --- Main -----------------------------------------------------------------------------

# TRIED: what the Debian path attempted and why it failed, for the fallback's messages.
TRIED=""
# debian_or_release NAME DEBIAN_STEP RELEASE_STEP
debian_or_release() {
  local name="$1" debian_step="$2" release_step="$3"
  if [ "$FROM" != release ] && is_debian; then
    WHY=""
    "$debian_step" && return 0
    TRIED="Debian packages: $WHY"
    [ "$FROM" = debian ] && die "$name: $TRIED"
    say "$name: the Debian path failed ($WHY); falling back to the pinned release archive"
  elif [ "$FROM" = debian ]; then
    die "$name: PROMRULES_TOOLS_FROM=debian, but this is not Debian with apt-get, dpkg-deb and $KEYRING"
  elif [ "$FROM" = auto ]; then
    say "$name: not Debian (no apt-get, dpkg-deb or $KEYRING): using the pinned release archive"
  fi
  "$release_step"
}

debian_or_release "promtool 2.42" debian_tools2 release_tools2
debian_or_release "promtool 3" debian_promtool3 release_tools3

# The default promtool is 3.x. Relative, so the folder can move with the checkout.
ln -sfn ../promtool-3/promtool "$TOOLS/bin/promtool"

say "$(tool_version "$TOOLS/promtool-2/promtool")  [$TOOLS/promtool-2/promtool]"
say "$(tool_version "$TOOLS/promtool-3/promtool")  [$TOOLS/promtool-3/promtool]"
if [ -e "$TOOLS/bin/amtool" ]; then
  say "$(tool_version "$TOOLS/bin/amtool")  [$TOOLS/bin/amtool]"
fi
