"""The badge's picture: a shield with balanced scales, drawn once and rendered as SVG or PNG.

The drawing is a list of shapes in a 600 x 600 canvas (y grows downwards, as in SVG). The SVG
writer turns them into hand-written markup; the PNG writer draws the same shapes with matplotlib's
Agg renderer (imported only when a PNG is asked for). The words on the badge come from the signed
credential alone (:func:`badge_text`), so a verifier can recompute them and check that the
picture shows what was signed.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ._assessment import is_self_assessed
from ._checks import parse_iso

__all__ = ["BadgeText", "badge_text", "render_svg", "render_png", "TEXT_IDS"]

SVG_NS = "http://www.w3.org/2000/svg"
OB_NS = "https://purl.imsglobal.org/ob/v3p0"
CANVAS = 600
FONT = "DejaVu Sans"

# palette: deep navy, warm gold, cream face, coral ribbon
NAVY, NAVY_LIGHT = "#1c2a4a", "#2d4373"
GOLD, GOLD_DARK = "#e7ae45", "#b07d22"
CREAM = "#fdf7e8"
CORAL, CORAL_DARK = "#d65a35", "#9b3a1e"
MUTED = "#5a6378"

# advance widths of DejaVu Sans (regular, bold) for ASCII 32..126, in 1/1000 em; used to fit text
_W_REGULAR = [int(w) for w in (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 337 "
    "337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 611 732 "
    "684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 "
    "635 411 521 392 634 592 818 592 592 525 636 337 636 838").split()]
_W_BOLD = [int(w) for w in (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696 696 696 400 "
    "400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 733 850 770 720 682 812 "
    "774 1103 771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 "
    "716 493 595 478 712 652 924 645 652 582 712 365 712 838").split()]

#: ids of the text elements a verifier compares with the signed credential
TEXT_IDS = ("badge-course", "badge-achievement", "badge-learner", "badge-date", "badge-assessment")


@dataclass(frozen=True)
class BadgeText:
    """The words drawn on a badge, each derived from the signed credential."""

    course: str
    achievement: str
    learner: str
    date: str
    assessment: str
    title: str
    description: str

    def by_id(self) -> dict:
        return dict(zip(TEXT_IDS, (self.course, self.achievement, self.learner, self.date, self.assessment)))


def _display_name(credential) -> str | None:
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    for ident in identifiers if isinstance(identifiers, list) else []:
        if isinstance(ident, dict) and ident.get("identityType") == "name" and ident.get("hashed") is False \
                and isinstance(ident.get("identityHash"), str):
            return ident["identityHash"]
    return None


def human_date(moment: _dt.datetime) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}"


def badge_text(credential: dict) -> BadgeText:
    """The words a badge shows, computed from its credential alone."""
    subject = credential.get("credentialSubject", {}) if isinstance(credential, dict) else {}
    achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
    name = str(achievement.get("name", "")) if isinstance(achievement, dict) else ""
    course, _, label = name.partition(": ")
    label = label or "Open Badge"
    learner = _display_name(credential) or "Learner"
    valid_from = parse_iso(credential.get("validFrom"))
    date = human_date(valid_from) if valid_from else "undated"
    issuer = credential.get("issuer", {})
    issuer_name = str(issuer.get("name", "")) if isinstance(issuer, dict) else ""
    self_assessed = is_self_assessed(credential)
    assessment = "SELF-ASSESSED" if self_assessed else f"Issued by {issuer_name or 'an unnamed issuer'}"
    title = f"{name} \u2014 awarded to {learner} on {date}"
    how = ("self-assessed: the learner checked their own work with the workbook's checks" if self_assessed
           else f"issued by {issuer_name or 'an unnamed issuer'}")
    description = (f"Open Badge for the course {course}: a shield with balanced scales above a ribbon reading "
                   f"{label}, awarded to {learner} on {date}, {how}.")
    return BadgeText(course=course.upper(), achievement=label.upper(), learner=learner, date=date,
                     assessment=assessment, title=title, description=description)


# --------------------------------------------------------------------------------------------- shapes


def _text_width(text: str, size: float, bold: bool) -> float:
    table = _W_BOLD if bold else _W_REGULAR
    return sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else 640 for c in text) * size / 1000


def _fit(text: str, size: float, max_width: float, bold: bool, *, min_size: float = 11) -> tuple[str, float]:
    """Shrink the font to fit ``max_width``; below ``min_size``, cut the text and add an ellipsis."""
    width = _text_width(text, size, bold)
    if width <= max_width:
        return text, size
    size = max(min_size, size * max_width / width)
    while len(text) > 1 and _text_width(text, size, bold) > max_width:
        text = text[:-2].rstrip() + "\u2026"
    return text, size


def _wrap(text: str, size: float, max_width: float, bold: bool, *, min_size: float,
          second_size: float, second_min: float) -> tuple[list, float]:
    """One line if it fits at ``min_size`` or more, else two lines split at the best space."""
    if _text_width(text, min_size, bold) <= max_width or " " not in text:
        line, size = _fit(text, size, max_width, bold, min_size=min_size)
        return [line], size
    words = text.split(" ")
    narrower = max_width * 0.94  # the second line sits lower, where the shield narrows
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda pair: max(_text_width(pair[0], 1, bold),
                                                     _text_width(pair[1], 1, bold) / 0.94))
    size = max(second_min, min(second_size, max_width / _text_width(first, 1, bold),
                               narrower / _text_width(second, 1, bold)))
    if _text_width(first, size, bold) <= max_width and _text_width(second, size, bold) <= narrower:
        return [first, second], size
    # too long for two balanced lines: fill the first line, cut the second short
    size, first, rest = second_min, words[0], words[1:]
    while rest and _text_width(f"{first} {rest[0]}", size, bold) <= max_width:
        first, rest = f"{first} {rest[0]}", rest[1:]
    return [_fit(first, size, max_width, bold, min_size=size)[0],
            _fit(" ".join(rest), size, narrower, bold, min_size=size)[0]], size


def _shield(scale: float, dy: float = 0.0) -> list:
    """The shield outline, scaled about its centre: a crest on top, curving to a point below."""
    cx, cy = 300.0, 304.0

    def p(x, y):
        return cx + scale * (x - cx), cy + scale * (y - cy) + dy

    return [("M", *p(92, 84)), ("Q", *p(200, 84), *p(300, 30)), ("Q", *p(400, 84), *p(508, 84)),
            ("Q", *p(528, 84), *p(528, 104)), ("L", *p(528, 290)),
            ("C", *p(528, 426), *p(430, 518), *p(300, 574)),
            ("C", *p(170, 518), *p(72, 426), *p(72, 290)), ("L", *p(72, 104)),
            ("Q", *p(72, 84), *p(92, 84)), ("Z",)]


def _rect(x0, y0, x1, y1, r=0.0) -> list:
    if not r:
        return [("M", x0, y0), ("L", x1, y0), ("L", x1, y1), ("L", x0, y1), ("Z",)]
    return [("M", x0 + r, y0), ("L", x1 - r, y0), ("Q", x1, y0, x1, y0 + r), ("L", x1, y1 - r),
            ("Q", x1, y1, x1 - r, y1), ("L", x0 + r, y1), ("Q", x0, y1, x0, y1 - r), ("L", x0, y0 + r),
            ("Q", x0, y0, x0 + r, y0), ("Z",)]


def _star(cx: float, cy: float, r: float) -> list:
    import math

    pts = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return [("M", *pts[0]), *[("L", *p) for p in pts[1:]], ("Z",)]


def _shapes(text: BadgeText) -> list:
    s = []

    def path(d, fill=None, stroke=None, width=0.0, opacity=1.0, join="round"):
        s.append({"kind": "path", "d": d, "fill": fill, "stroke": stroke, "width": width, "opacity": opacity,
                  "join": join})

    def circle(cx, cy, r, fill, stroke=None, width=0.0):
        s.append({"kind": "circle", "cx": cx, "cy": cy, "r": r, "fill": fill, "stroke": stroke, "width": width})

    def text_at(x, y, value, size, color, *, bold=False, italic=False, ident=None, spacing=0.0):
        s.append({"kind": "text", "x": x, "y": y, "text": value, "size": size, "color": color, "bold": bold,
                  "italic": italic, "id": ident, "spacing": spacing})

    def label(x, y, value, size, color, *, bold=False, italic=False, max_width=400.0, ident=None, spacing=0.0):
        value, size = _fit(value, size, max_width - spacing * len(value), bold)
        text_at(x, y, value, size, color, bold=bold, italic=italic, ident=ident, spacing=spacing)

    # soft shadow, ribbon tails behind the shield, then the shield in three layers
    path(_shield(1.0, dy=7), fill="#000000", opacity=0.16)
    for sign in (-1, 1):
        def x(v, sign=sign):
            return 300 + sign * (300 - v)
        path([("M", x(98), 314), ("L", x(34), 314), ("L", x(54), 343), ("L", x(34), 372), ("L", x(98), 372),
              ("Z",)], fill=CORAL_DARK)
        path([("M", x(74), 352), ("L", x(98), 372), ("L", x(98), 352), ("Z",)], fill="#6e2813")
    path(_shield(1.0), fill=NAVY)
    path(_shield(0.935), fill=GOLD)
    path(_shield(0.90), fill=CREAM)
    # a navy crown panel behind the course title
    face = _shield(0.90)
    left, right = face[7][1], face[4][1]  # the face's straight sides
    path([("M", left, 150), face[7], face[8], *face[1:4], ("L", right, 150), ("Z",)], fill=NAVY_LIGHT)
    path([("M", left, 150), ("L", right, 150)], stroke=GOLD, width=3)

    path(_star(300, 92, 13), fill=GOLD)
    path(_star(262, 100, 6), fill=GOLD, opacity=0.8)
    path(_star(338, 100, 6), fill=GOLD, opacity=0.8)
    label(300, 132, text.course, 25, CREAM, bold=True, max_width=330, ident="badge-course", spacing=1.5)

    # balanced scales: finial, pillar, beam, strings, pans, foot
    ink, w = NAVY, 2.6
    path(_rect(293, 176, 307, 272, 3), fill=GOLD, stroke=ink, width=w)
    path([("M", 250, 286), ("L", 350, 286), ("L", 336, 266), ("L", 264, 266), ("Z",)],
         fill=GOLD, stroke=ink, width=w)
    for cx in (212, 388):
        path([("M", cx, 190), ("L", cx - 34, 246), ("M", cx, 190), ("L", cx + 34, 246)], stroke=ink, width=2.2)
        path([("M", cx - 44, 246), ("L", cx + 44, 246), ("C", cx + 40, 276, cx - 40, 276, cx - 44, 246), ("Z",)],
             fill=GOLD, stroke=ink, width=w)
        circle(cx, 190, 4.5, ink)
    path(_rect(192, 182, 408, 194, 6), fill=GOLD, stroke=ink, width=w)
    circle(300, 173, 11, GOLD, ink, w)
    circle(300, 188, 5, ink)

    # the ribbon across the shield
    path(_rect(74, 300, 526, 356), fill=CORAL)
    path([("M", 74, 304), ("L", 526, 304)], stroke="#ffffff", width=1.2, opacity=0.35)
    path([("M", 74, 352), ("L", 526, 352)], stroke="#ffffff", width=1.2, opacity=0.35)
    label(300, 338, text.achievement, 28, "#ffffff", bold=True, max_width=420, ident="badge-achievement",
          spacing=3)

    label(300, 386, "awarded to", 15, MUTED, italic=True, max_width=300)
    lines, size = _wrap(text.learner, 30, 330, True, min_size=22, second_size=23, second_min=15)
    y = 420 if len(lines) == 1 else 412
    for i, line in enumerate(lines):
        text_at(300, y, line, size, NAVY, bold=True, ident="badge-learner" + ("" if i == 0 else f"-{i + 1}"))
        y += size * 1.15
    y += 16 - size * 1.15
    path([("M", 236, y), ("L", 364, y)], stroke=GOLD, width=2)
    y += 24
    label(300, y, text.date, 16, NAVY, max_width=260, ident="badge-date")
    y += 26
    if text.assessment == "SELF-ASSESSED":
        path(_rect(230, y - 16, 370, y + 6, 11), fill=CORAL)
        label(300, y, text.assessment, 12, "#ffffff", bold=True, max_width=128, ident="badge-assessment",
              spacing=1)
    else:
        lines, size = _wrap(text.assessment, 12, 190, False, min_size=11, second_size=11, second_min=10.5)
        for i, line in enumerate(lines):
            text_at(300, y, line, size, MUTED, ident="badge-assessment" + ("" if i == 0 else f"-{i + 1}"))
            y += size * 1.2
    return s


# --------------------------------------------------------------------------------------------- SVG


def _svg_d(d) -> str:
    out = []
    for cmd in d:
        out.append(cmd[0] + (" " + " ".join(f"{v:.1f}".rstrip("0").rstrip(".") for v in cmd[1:]) if cmd[1:] else ""))
    return " ".join(out)


def credential_element(payload: str) -> str:
    """OB 3.0's ``<openbadges:credential>`` element: a JSON credential as its text, a compact JWS in ``verify``."""
    if payload.lstrip().startswith("{"):
        # CDATA keeps the JSON as it is; a "]]>" inside it is split over two sections
        return f"<openbadges:credential><![CDATA[{payload.replace(']]>', ']]]]><![CDATA[>')}]]></openbadges:credential>"
    return f"<openbadges:credential verify={quoteattr(payload)}></openbadges:credential>"


def render_svg(text: BadgeText, *, credential: str | None = None) -> str:
    """The badge as an SVG document; with ``credential`` (JSON text or a compact JWS), baked per Open Badges 3.0."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB_NS}" viewBox="0 0 {CANVAS} {CANVAS}" '
        f'width="{CANVAS}" height="{CANVAS}" role="img" aria-labelledby="badge-title badge-desc">',
    ]
    if credential is not None:
        # OB 3.0 "Baked Badge", SVG: directly after <svg>
        lines.append(credential_element(credential))
    lines += [f'<title id="badge-title">{escape(text.title)}</title>',
              f'<desc id="badge-desc">{escape(text.description)}</desc>',
              f'<g font-family="{FONT}, Verdana, Arial, sans-serif" text-anchor="middle">']
    for sh in _shapes(text):
        if sh["kind"] == "path":
            attrs = [f'd="{_svg_d(sh["d"])}"', f'fill="{sh["fill"] or "none"}"']
            if sh["stroke"]:
                attrs += [f'stroke="{sh["stroke"]}"', f'stroke-width="{sh["width"]:g}"',
                          f'stroke-linejoin="{sh["join"]}"', 'stroke-linecap="round"']
            if sh["opacity"] != 1.0:
                attrs.append(f'opacity="{sh["opacity"]:g}"')
            lines.append(f"<path {' '.join(attrs)}/>")
        elif sh["kind"] == "circle":
            stroke = f' stroke="{sh["stroke"]}" stroke-width="{sh["width"]:g}"' if sh["stroke"] else ""
            lines.append(f'<circle cx="{sh["cx"]:g}" cy="{sh["cy"]:g}" r="{sh["r"]:g}" fill="{sh["fill"]}"{stroke}/>')
        else:
            attrs = [f'x="{sh["x"]:g}"', f'y="{sh["y"]:g}"', f'font-size="{sh["size"]:.1f}"', f'fill="{sh["color"]}"']
            if sh["bold"]:
                attrs.append('font-weight="bold"')
            if sh["italic"]:
                attrs.append('font-style="italic"')
            if sh["spacing"]:
                attrs.append(f'letter-spacing="{sh["spacing"]:g}"')
            if sh["id"]:
                attrs.insert(0, f'id="{sh["id"]}"')
            lines.append(f"<text {' '.join(attrs)}>{escape(sh['text'])}</text>")
    lines += ["</g>", "</svg>", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- PNG


def render_png(text: BadgeText, *, size: int = 600) -> bytes:
    """The same drawing as a PNG of ``size`` x ``size`` pixels (transparent outside the shield)."""
    import io
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, PathPatch
    from matplotlib.path import Path as MplPath

    fig = Figure(figsize=(size / 100, size / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, CANVAS)
    ax.set_ylim(CANVAS, 0)
    ax.set_axis_off()
    fig.patch.set_alpha(0.0)
    pt = size / CANVAS * 0.72  # canvas units -> points
    codes = {"M": MplPath.MOVETO, "L": MplPath.LINETO, "Q": MplPath.CURVE3, "C": MplPath.CURVE4}
    for z, sh in enumerate(_shapes(text)):
        if sh["kind"] == "path":
            verts, kinds = [], []
            start = None
            for cmd in sh["d"]:
                if cmd[0] == "Z":
                    verts.append(start)
                    kinds.append(MplPath.CLOSEPOLY)
                    continue
                pts = list(zip(cmd[1::2], cmd[2::2]))
                if cmd[0] == "M":
                    start = pts[0]
                verts += pts
                kinds += [codes[cmd[0]]] * len(pts)
            ax.add_patch(PathPatch(MplPath(verts, kinds), facecolor=sh["fill"] or "none",
                                   edgecolor=sh["stroke"] or "none", linewidth=sh["width"] * pt,
                                   alpha=sh["opacity"], joinstyle=sh["join"], capstyle="round", zorder=z))
        elif sh["kind"] == "circle":
            ax.add_patch(Circle((sh["cx"], sh["cy"]), sh["r"], facecolor=sh["fill"],
                                edgecolor=sh["stroke"] or "none", linewidth=sh["width"] * pt, zorder=z))
        else:
            value = sh["text"]
            if sh["spacing"]:
                # matplotlib has no letter-spacing; a hair space between letters comes close
                value = "\u200a".join(value)
            ax.text(sh["x"], sh["y"], value, fontsize=sh["size"] * pt, color=sh["color"], ha="center",
                    va="baseline", fontfamily=FONT, fontweight="bold" if sh["bold"] else "normal",
                    fontstyle="italic" if sh["italic"] else "normal", zorder=z, parse_math=False)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # scripts DejaVu Sans lacks (e.g. CJK) draw as boxes in the PNG; the SVG uses the viewer's fonts
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font", category=UserWarning)
        fig.savefig(buf, format="png", dpi=100, transparent=True, metadata={"Software": "biaslab"})
    return buf.getvalue()
