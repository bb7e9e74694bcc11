#!/usr/bin/env bash
# Install the tools promrules is tested with into a tools folder (default .tools/):
#
#   .tools/promtool-2/promtool   promtool 2.42 (Debian 12's `prometheus` package)
#   .tools/promtool-3/promtool   promtool 3.x  (Debian sid's `promtool` package, unpacked)
#   .tools/bin/promtool          the default one, 3.x; the plugin picks it up from the
#                                project root as "the promtool the project's set-up installed"
#   .tools/bin/amtool, alertmanager, prometheus   Debian 12's Alertmanager 0.25 and Prometheus 2.42
#
# Usage: scripts/install-tools.sh [TOOLS_DIR]
#
# On Debian everything comes from Debian's archive through apt, from the mirror this
# machine's apt is configured with. promtool 3.x is fetched with a private apt state in
# a temporary folder: the system's sources and package lists are not touched, and apt
# checks the package against the archive's signed index as usual.
#
# Elsewhere (no apt, or not Debian) it downloads the official Prometheus release
# archives and refuses any archive whose sha256 is not the one pinned below.
#
# Running it again is cheap: whatever is already in place is kept.
set -euo pipefail

# --- Pinned versions ---------------------------------------------------------------
# Debian: the exact `promtool` package version taken from sid. If sid has moved on and
# no longer has it, the newest 3.x promtool there is used instead, with a warning.
PROMTOOL3_DEB_VERSION="3.5.3+ds1-6"
PROMTOOL3_SUITE="sid"

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
RELEASE_BASE="https://github.com/prometheus/prometheus/releases/download"

say() { echo "install-tools: $*"; }
die() { echo "install-tools: error: $*" >&2; exit 1; }

TOOLS="${1:-.tools}"
mkdir -p "$TOOLS/bin" "$TOOLS/promtool-2" "$TOOLS/promtool-3"
TOOLS="$(cd "$TOOLS" && pwd)"

# Root runs apt directly; anyone else needs sudo for the system packages.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && SUDO="sudo"
fi

# The first line of `promtool --version`, e.g. "promtool, version 3.5.3+ds1 (...)".
tool_version() { "$1" --version 2>&1 | head -n1; }

is_debian() {
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  (. /etc/os-release && [ "${ID:-}" = debian ]) &&
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null
}

# --- Debian -------------------------------------------------------------------------

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
  [ -n "$uri" ] || die "no Debian mirror found in the apt configuration (/etc/apt/sources.list*)"
  echo "$uri"
}

install_debian_packages() {
  # promtool 2.42, amtool, Alertmanager 0.25 and Prometheus 2.42 from Debian 12.
  local missing=()
  local pkg
  for pkg in prometheus prometheus-alertmanager; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "apt-get install ${missing[*]} (promtool 2.42, amtool, Alertmanager)"
    $SUDO apt-get update -qq
    # The packages try to start their services; without an init system that start
    # fails or is refused, which is harmless here: only the binaries are used.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null || {
      say "apt-get install reported an error (usually a service that could not start); checking the binaries"
      $SUDO env DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true
    }
  fi
  local bin
  for bin in /usr/bin/promtool /usr/bin/amtool /usr/bin/prometheus-alertmanager /usr/bin/prometheus; do
    [ -x "$bin" ] || die "$bin is missing after installing Debian's prometheus and prometheus-alertmanager"
  done
  ln -sfn /usr/bin/promtool "$TOOLS/promtool-2/promtool"
  ln -sfn /usr/bin/amtool "$TOOLS/bin/amtool"
  ln -sfn /usr/bin/prometheus-alertmanager "$TOOLS/bin/alertmanager"
  ln -sfn /usr/bin/prometheus "$TOOLS/bin/prometheus"
  case "$(tool_version /usr/bin/promtool)" in
    *"version 2.42."*) ;;
    *) say "warning: Debian's promtool is not 2.42 here: $(tool_version /usr/bin/promtool)" ;;
  esac
}

install_debian_promtool3() {
  local target="$TOOLS/promtool-3/promtool"
  local want="${PROMTOOL3_DEB_VERSION%%-*}"   # 3.5.3+ds1-6 -> 3.5.3+ds1
  if [ -x "$target" ] && tool_version "$target" | grep -q "version $want "; then
    return 0
  fi
  local uri tmp
  uri=$(debian_source_uri)
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $PROMTOOL3_SUITE main" \
    >"$tmp/sources.list"
  # A private apt state: these options leave the system's sources, lists and cache alone.
  local opts=(
    -o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
    -o "Dir::State::Status=/var/lib/dpkg/status"
  )
  [ "$(id -u)" -eq 0 ] && opts+=(-o "APT::Sandbox::User=root")
  say "promtool $PROMTOOL3_DEB_VERSION from Debian $PROMTOOL3_SUITE"
  apt-get "${opts[@]}" update -qq
  local version="$PROMTOOL3_DEB_VERSION"
  if ! apt-cache "${opts[@]}" madison promtool | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
    grep -qxF "$version"; then
    # sid keeps only its newest version: take that one if it is still a 3.x.
    version=$(apt-cache "${opts[@]}" policy promtool | awk '/Candidate:/ {print $2}')
    case "$version" in
      3.*) say "warning: promtool $PROMTOOL3_DEB_VERSION is no longer in $PROMTOOL3_SUITE; using $version (update PROMTOOL3_DEB_VERSION)" ;;
      *) die "Debian $PROMTOOL3_SUITE has no promtool $PROMTOOL3_DEB_VERSION and no other 3.x (candidate: ${version:-none})" ;;
    esac
  fi
  (cd "$tmp" && apt-get "${opts[@]}" download -qq "promtool=$version")
  dpkg-deb -x "$tmp"/promtool_*.deb "$tmp/x"
  install -m 0755 "$tmp/x/usr/bin/promtool" "$target"
  rm -rf "$tmp"
  trap - EXIT
}

# --- Elsewhere: official release archives -------------------------------------------

fetch_url() {
  if command -v curl >/dev/null; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null; then
    wget -q -O "$2" "$1"
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
  if [ -x "$target/promtool" ] && tool_version "$target/promtool" | grep -q "version $version "; then
    return 0
  fi
  [ "$(uname -s)" = Linux ] || die "only Linux release archives are pinned; install promtool $version yourself and set PROMTOOL"
  local arch sum name tmp
  arch=$(release_arch)
  sum="${RELEASE_SHA256[$version-$arch]:-}"
  if [ -z "$sum" ]; then
    die "no pinned sha256 for prometheus $version linux-$arch: refusing an unverified download.
  Install promtool $version yourself and point PROMTOOL at it, or pin its sum in $0."
  fi
  name="prometheus-$version.linux-$arch"
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  say "downloading $name.tar.gz from the Prometheus releases"
  fetch_url "$RELEASE_BASE/v$version/$name.tar.gz" "$tmp/$name.tar.gz"
  if ! echo "$sum  $tmp/$name.tar.gz" | sha256sum -c --status -; then
    die "$name.tar.gz does not have the pinned sha256 $sum: not installed"
  fi
  local members=("$name/promtool")
  local extra
  for extra in "$@"; do members+=("$name/$extra"); done
  tar -xzf "$tmp/$name.tar.gz" -C "$tmp" "${members[@]}"
  install -m 0755 "$tmp/$name/promtool" "$target/promtool"
  for extra in "$@"; do install -m 0755 "$tmp/$name/$extra" "$target/$extra"; done
  rm -rf "$tmp"
  trap - EXIT
}

# --- Main -----------------------------------------------------------------------------

if is_debian; then
  install_debian_packages
  install_debian_promtool3
else
  say "not Debian: using the official release archives (sha256-pinned)"
  install_release "$RELEASE2" "$TOOLS/promtool-2" prometheus
  install_release "$RELEASE3" "$TOOLS/promtool-3"
  ln -sfn ../promtool-2/prometheus "$TOOLS/bin/prometheus"
  if command -v amtool >/dev/null; then
    ln -sfn "$(command -v amtool)" "$TOOLS/bin/amtool"
  else
    say "note: amtool/Alertmanager are not installed by this path (Debian only); set AMTOOL or put amtool on PATH for the Alertmanager checks"
  fi
fi

# The default promtool is 3.x. Relative, so the folder can move with the checkout.
ln -sfn ../promtool-3/promtool "$TOOLS/bin/promtool"

say "$(tool_version "$TOOLS/promtool-2/promtool")  [$TOOLS/promtool-2/promtool]"
say "$(tool_version "$TOOLS/promtool-3/promtool")  [$TOOLS/promtool-3/promtool]"
if [ -e "$TOOLS/bin/amtool" ]; then
  say "$(tool_version "$TOOLS/bin/amtool")  [$TOOLS/bin/amtool]"
fi
