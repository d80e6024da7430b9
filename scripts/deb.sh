#!/usr/bin/env bash
# Builds the release .deb of the desktop app (tauri build --bundles deb) and checks what is in
# it: the binary, the desktop entry in Chinese, the icons, and WebKitGTK as a dependency.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
base_need
desktop_need
say "构建 .deb 安装包"
# The UI was built just above (desktop_need), so the bundler's own UI build is skipped.
"$ROOT/ui/node_modules/.bin/tauri" build --bundles deb --ci --config '{"build":{"beforeBuildCommand":""}}' 2>&1 | tail -5
deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1)
echo "$deb（$(du -h "$deb" | cut -f1)）"
contents=$(dpkg-deb -c "$deb")
info=$(dpkg-deb -I "$deb")
grep -q "usr/bin/yichuang-desktop" <<<"$contents" || { echo "安装包中没有 usr/bin/yichuang-desktop" >&2; exit 1; }
grep -q "usr/share/applications/.*\.desktop" <<<"$contents" || { echo "安装包中没有 .desktop 文件" >&2; exit 1; }
grep -q "libwebkit2gtk-4.1" <<<"$info" || { echo "安装包没有声明 WebKitGTK 依赖" >&2; exit 1; }
grep -q "fonts-hanazono" <<<"$info" || { echo "安装包没有声明生僻字字体（fonts-hanazono）依赖" >&2; exit 1; }
echo "安装包完整：$(grep -c . <<<"$contents") 个文件"
