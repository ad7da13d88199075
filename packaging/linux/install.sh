#!/bin/sh
# Install the ektp-station bundle on a Linux counter PC (docs/packaging.md).
#
#   ./install.sh            per user:   ~/.local/opt/ektp-station, ~/.local/bin/ektp-station
#   sudo ./install.sh --system          /opt/ektp-station, /usr/local/bin/ektp-station
#   ./install.sh --uninstall [--system] removes the program, menu entry and icons
#
# Run from the unpacked archive (next to the ektp-station/ bundle folder) or from the source
# checkout after `make package` (uses dist/ektp-station). The station's data in
# ~/.local/share/ektp-station (queue, settings, logs, receipts) is never touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
system=no
action=install
for arg in "$@"; do
    case "$arg" in
        --system) system=yes ;;
        --uninstall) action=uninstall ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

if [ "$system" = yes ]; then
    opt=/opt/ektp-station
    bin=/usr/local/bin
    share=/usr/local/share
else
    opt="$HOME/.local/opt/ektp-station"
    bin="$HOME/.local/bin"
    share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
apps="$share/applications"
icons="$share/icons/hicolor"

if [ "$action" = uninstall ]; then
    rm -rf "$opt"
    rm -f "$bin/ektp-station" "$apps/ektp-station.desktop" \
        "$icons/scalable/apps/ektp-station.svg" "$icons/256x256/apps/ektp-station.png"
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
    echo "ektp-station removed; data kept in ${XDG_DATA_HOME:-$HOME/.local/share}/ektp-station"
    exit 0
fi

bundle=""
for candidate in "$here/ektp-station" "$here/../../dist/ektp-station"; do
    if [ -x "$candidate/ektp-station" ]; then bundle=$(cd "$candidate" && pwd); break; fi
done
if [ -z "$bundle" ]; then
    echo "no bundle next to $0 (build it with: make package)" >&2
    exit 1
fi

mkdir -p "$(dirname "$opt")" "$bin" "$apps" "$icons/scalable/apps" "$icons/256x256/apps"
# Replace the program as a whole: no stale libraries from an older version.
rm -rf "$opt.new"
cp -a "$bundle" "$opt.new"
rm -rf "$opt"
mv "$opt.new" "$opt"
ln -sf "$opt/ektp-station" "$bin/ektp-station"
sed -e "s|^Exec=.*|Exec=$opt/ektp-station|" -e "s|^TryExec=.*|TryExec=$opt/ektp-station|" \
    "$here/ektp-station.desktop" > "$apps/ektp-station.desktop"
cp "$here/ektp-station.svg" "$icons/scalable/apps/ektp-station.svg"
cp "$here/ektp-station.png" "$icons/256x256/apps/ektp-station.png"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
echo "ektp-station $("$opt/ektp-station" --version | cut -d' ' -f2) installed in $opt"
