#!/usr/bin/env bash
# Install the ZorgCert bundle for this user only (no root): run it from the unpacked
# zorgcert-linux-*.tar.gz, i.e. as zorgcert/install-user.sh. --no-autostart leaves the tray agent off;
# --uninstall removes what it put in place.
#   program   ~/.local/lib/zorgcert/            command  ~/.local/bin/zorgcert
#   menu      ~/.local/share/applications/zorgcert.desktop
#   icon      ~/.local/share/icons/hicolor/scalable/apps/zorgcert.svg
#   autostart ~/.config/autostart/zorgcert-agent.desktop (the file the app's settings switch on and off)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
config=${XDG_CONFIG_HOME:-$HOME/.config}
lib=$HOME/.local/lib/zorgcert
bin=$HOME/.local/bin
menu=$data/applications/zorgcert.desktop
icon=$data/icons/hicolor/scalable/apps/zorgcert.svg
autostart=$config/autostart/zorgcert-agent.desktop

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$lib"; rm -f "$bin/zorgcert" "$menu" "$icon" "$autostart"
  echo "ZorgCert removed (your certificates, settings and backups are kept)."
  exit 0
fi

mkdir -p "$lib" "$bin" "$(dirname "$menu")" "$(dirname "$icon")"
if [ "$here" != "$lib" ]; then
  rm -rf "$lib.new"; cp -a "$here" "$lib.new"; rm -rf "$lib"; mv "$lib.new" "$lib"
fi
ln -sfn "$lib/zorgcert" "$bin/zorgcert"
exe=$lib/zorgcert
sed -e "s|^Exec=zorgcert |Exec=\"$exe\" |" -e "s|^TryExec=zorgcert|TryExec=$exe|" "$lib/share/zorgcert.desktop" > "$menu"
cp "$lib/share/zorgcert.svg" "$icon"
if [ "${1:-}" != "--no-autostart" ]; then
  mkdir -p "$(dirname "$autostart")"
  sed -e "s|^Exec=zorgcert |Exec=\"$exe\" |" "$lib/share/zorgcert-agent-autostart.desktop" > "$autostart"
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "ZorgCert installed in $lib; start it from the menu or with: $bin/zorgcert gui"
