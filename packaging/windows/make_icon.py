"""Make packaging/windows/zorgcert.ico (the programs' and the installer's icon) from resources/icons/zorgcert.svg.

Run after changing the SVG: ``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/windows/make_icon.py``.
Each size is drawn from the SVG by Qt and stored as PNG inside the ICO (Windows Vista and later read those).
"""

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 24, 32, 48, 64, 256)


def png(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn at ``size`` pixels square, as PNG."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def main() -> None:
    """Write the ICO: header, one directory entry per size, then the PNGs."""
    app = QGuiApplication(sys.argv)  # noqa: F841 - Qt paints only with an application
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "zorgcert.svg"))
    images = [png(renderer, size) for size in SIZES]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in zip(SIZES, images, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    (ROOT / "packaging" / "windows" / "zorgcert.ico").write_bytes(out + b"".join(images))


if __name__ == "__main__":
    main()
