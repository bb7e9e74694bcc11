#!/usr/bin/env bash
# Install the tools promrules is tested with into .tools/:
#   .tools/promtool-2/promtool   promtool 2.42 (Debian 12's prometheus package)
#   .tools/promtool-3/promtool   promtool 3.x  (Debian's newer suite, package `promtool`)
#   .tools/bin/promtool          the default (3.x); .tools/bin/amtool
# On Debian this uses apt only. Elsewhere it downloads pinned official releases
# and refuses any archive whose sha256 is not the pinned one.
set -euo pipefail

TOOLS="${1:-.tools}"
PROMTOOL3_DEB_VERSION="3.5.3+ds1-6"   # Debian sid's promtool package
PROMTOOL3_SUITE="sid"
RELEASE2="2.42.0"
RELEASE3="3.5.3"
# sha256 of prometheus-<version>.linux-amd64.tar.gz from the project's releases.
# Left empty where not verified here: the download path then refuses to install.
declare -A RELEASE_SHA256=(
  ["2.42.0-amd64"]=""
  ["3.5.3-amd64"]=""
)

mkdir -p "$TOOLS/bin" "$TOOLS/promtool-2" "$TOOLS/promtool-3"
TOOLS="$(cd "$TOOLS" && pwd)"

debian_source_uri() {
  # The machine's own Debian mirror, from its apt configuration (never hard-coded).
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "install-promtool: no Debian source found in the apt configuration" >&2; return 1; }
  echo "$uri"
}

install_debian() {
  if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
    echo "install-promtool: apt-get install prometheus prometheus-alertmanager (promtool 2.42, amtool)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      prometheus prometheus-alertmanager >/dev/null || {
        # The packages try to start services; where there is no init system that fails harmlessly.
        dpkg --configure -a >/dev/null 2>&1 || true
      }
  fi
  ln -sf "$(command -v promtool)" "$TOOLS/promtool-2/promtool"
  ln -sf "$(command -v amtool)" "$TOOLS/bin/amtool"

  if [ ! -x "$TOOLS/promtool-3/promtool" ]; then
    echo "install-promtool: promtool $PROMTOOL3_DEB_VERSION from Debian $PROMTOOL3_SUITE"
    local tmp uri
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    uri=$(debian_source_uri)
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $PROMTOOL3_SUITE main" > "$tmp/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
                -o "Dir::State::Status=/var/lib/dpkg/status" -o "APT::Sandbox::User=root")
    apt-get "${opts[@]}" update -qq
    (cd "$tmp" && apt-get "${opts[@]}" download -qq "promtool=$PROMTOOL3_DEB_VERSION")
    dpkg-deb -x "$tmp"/promtool_*.deb "$tmp/x"
    install -m 0755 "$tmp/x/usr/bin/promtool" "$TOOLS/promtool-3/promtool"
  fi
}

install_release() {
  # Not Debian: official release archives, checked against pinned sha256 sums.
  local version="$1" target="$2" arch key sum tmp
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  key="$version-$arch"
  sum="${RELEASE_SHA256[$key]:-}"
  if [ -z "$sum" ]; then
    echo "install-promtool: no pinned sha256 for prometheus $key; refusing an unverified download." >&2
    echo "  Install promtool yourself and set PROMTOOL=/path/to/promtool." >&2
    return 1
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  local name="prometheus-$version.linux-$arch"
  curl -fsSL -o "$tmp/$name.tar.gz" "https://github.com/prometheus/prometheus/releases/download/v$version/$name.tar.gz"
  echo "$sum  $tmp/$name.tar.gz" | sha256sum -c - >/dev/null
  tar -xzf "$tmp/$name.tar.gz" -C "$tmp" "$name/promtool"
  install -m 0755 "$tmp/$name/promtool" "$target/promtool"
}

if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
  install_debian
else
  [ -x "$TOOLS/promtool-2/promtool" ] || install_release "$RELEASE2" "$TOOLS/promtool-2"
  [ -x "$TOOLS/promtool-3/promtool" ] || install_release "$RELEASE3" "$TOOLS/promtool-3"
fi
ln -sf "$TOOLS/promtool-3/promtool" "$TOOLS/bin/promtool"
"$TOOLS/promtool-2/promtool" --version | head -n1
"$TOOLS/promtool-3/promtool" --version | head -n1
