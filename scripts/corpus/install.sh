#!/usr/bin/env bash
# Installs the real producers the content corpus is written with (scripts/corpus/generate.py): Debian's
# tools, and a Python environment with the PyPI ones. Idempotent: what is present is skipped. Exits non-zero,
# naming the tool, when a required one cannot be installed. PROVENA_CORPUS_FULL=0 skips the large optional
# producers (LibreOffice, pdfTeX).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${PROVENA_CACHE:-$HOME/.cache/provena}"
venv="$cache/corpus-venv"
if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi

# command that proves the tool is there -> Debian package
required=(
  "convert-im6.q16:imagemagick"
  "ffmpeg:ffmpeg"
  "gs:ghostscript"
  "pandoc:pandoc"
  "gropdf:groff"
  "sndfile-convert:sndfile-programs"
  "flac:flac"
  "lame:lame"
)
optional=(
  "soffice:libreoffice-writer-nogui"
  "pdflatex:texlive-latex-base"
  # pandoc's PDF template needs more than the base LaTeX packages.
  "kpsewhich lmodern.sty xcolor.sty:lmodern texlive-latex-recommended"
  # LibreOffice draws Chinese with whatever font the machine has: without one, every glyph is the same box.
  "fc-list :lang=zh:fonts-wqy-zenhei"
)
[ "${PROVENA_CORPUS_FULL:-1}" = "0" ] && optional=()

# A check is a command name, or a command line that must print something (kpsewhich finds files).
present() { if [ "${1#* }" = "$1" ]; then command -v "$1" >/dev/null 2>&1; else [ -n "$($1 2>/dev/null)" ] && [ "$($1 2>/dev/null | wc -l)" -ge "$(($(wc -w <<<"$1") - 1))" ]; fi; }
missing=()
for entry in "${required[@]}" "${optional[@]}"; do
  if ! present "${entry%%:*}"; then
    read -ra packages <<<"${entry#*:}"
    missing+=("${packages[@]}")
  fi
done
installed=()
if [ "${#missing[@]}" -gt 0 ]; then
  echo "corpus: installing Debian packages: ${missing[*]}"
  apt_install() { DEBIAN_FRONTEND=noninteractive $apt_get install -y --no-install-recommends "$@" >/dev/null 2>&1; }
  apt_install "${missing[@]}" || { $apt_get update >/dev/null 2>&1; apt_install "${missing[@]}"; } || {
    # One at a time, so the one that fails is named and the others still install.
    for package in "${missing[@]}"; do apt_install "$package" || echo "corpus: could not install $package"; done
  }
  installed+=("${missing[@]}")
fi
status=0
for entry in "${required[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || { echo "corpus: required tool ${entry%%:*} (Debian package ${entry#*:}) is not installed" >&2; status=1; }
done
for entry in "${optional[@]}"; do
  present "${entry%%:*}" || echo "corpus: optional tool ${entry%%:*} (${entry#*:}) is not installed: its files are left out"
done

# The Python producers, in an environment keyed by nothing but its folder: pip skips what the pins already satisfy.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "corpus: creating the Python environment $venv"
  { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"; } >&2 \
    || { echo "corpus: the Python producers (Pillow, reportlab, python-docx, mutagen, soundfile, numpy) could not be installed" >&2; exit 1; }
  echo "$want" >"$stamp"
  installed+=("python-venv($(grep -v '^#' "$here/requirements.txt" | tr '\n' ' '))")
fi
if [ "${#installed[@]}" -gt 0 ]; then echo "corpus: installed ${installed[*]}"; else echo "corpus: every producer was already installed"; fi
exit "$status"
