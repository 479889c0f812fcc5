#!/bin/sh
# Regenerates the test JPEGs with libjpeg-turbo's cjpeg/jpegtran, exiftool and
# Pillow (apt-get install libjpeg-turbo-progs libimage-exiftool-perl
# python3-pil). The tests only read the results; they never run this.
set -eu
cd "$(dirname "$0")"
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
(cd .. && JPEGDC_WRITE_SOURCES=$src go test -count=1 -run TestWriteSources . >/dev/null)
C=$src/colour.ppm
P=$src/page.pgm
G=$src/grey.pgm

cjpeg -quality 80 -sample 1x1 -outfile base_444.jpg $C
cjpeg -quality 80 -sample 2x1 -outfile base_422.jpg $C
cjpeg -quality 80 -sample 1x2 -outfile base_440.jpg $C
cjpeg -quality 80 -optimize -outfile base_420_opt.jpg $C
cjpeg -quality 80 -sample 4x1 -outfile base_411.jpg $C
cjpeg -quality 80 -sample 4x2 -outfile base_4x2.jpg $C
cjpeg -quality 80 -sample 3x2 -outfile base_3x2.jpg $C
cjpeg -quality 50 -grayscale -outfile grey_q50.jpg $G
cjpeg -quality 80 -restart 1 -outfile rst_420_row.jpg $C
cjpeg -quality 80 -sample 1x1 -restart 5B -outfile rst_444_5b.jpg $C
cjpeg -quality 80 -grayscale -restart 3B -outfile rst_grey_3b.jpg $G
# 16-bit quantisation tables force an extended (SOF1) frame.
printf '12 %s 300\n' "$(seq -s ' ' 1 62 | sed 's/[0-9]*/14/g')" > $src/q16.txt
cjpeg -qtables $src/q16.txt -grayscale -outfile sof1_q16.jpg $G

# Non-interleaved sequential scans (with tables redefined per scan), luma
# first and luma last.
printf '0;\n1;\n2;\n' > $src/ni.txt
printf '1;\n2;\n0;\n' > $src/ni_last.txt
cjpeg -quality 80 -optimize -scans $src/ni.txt -outfile base_noninterleaved.jpg $C
cjpeg -quality 80 -optimize -scans $src/ni_last.txt -outfile base_luma_last.jpg $C

cjpeg -quality 80 -progressive -outfile prog_420.jpg $C
cjpeg -quality 80 -progressive -sample 1x1 -outfile prog_444.jpg $C
cjpeg -quality 80 -progressive -grayscale -outfile prog_grey.jpg $G
cjpeg -quality 80 -progressive -restart 1 -outfile prog_rst.jpg $C
cjpeg -quality 80 -progressive -sample 2x1 -restart 7B -outfile prog_422_rst7b.jpg $C
# Luma DC alone with Al=2, refined twice, interleaved with AC scans.
printf '0: 0 0 0 2;\n1 2: 0 0 0 0;\n0: 1 63 0 0;\n0: 0 0 2 1;\n1: 1 63 0 0;\n2: 1 63 0 0;\n0: 0 0 1 0;\n' > $src/dcsplit.txt
cjpeg -quality 80 -scans $src/dcsplit.txt -outfile prog_dc_split.jpg $C
# Interleaved DC with Al=1, refined only after all AC scans.
printf '0 1 2: 0 0 0 1;\n0: 1 63 0 0;\n1: 1 63 0 0;\n2: 1 63 0 0;\n0 1 2: 0 0 1 0;\n' > $src/dclate.txt
cjpeg -quality 50 -scans $src/dclate.txt -restart 2 -outfile prog_dc_late_rst.jpg $C

# A 600×850 manga-like page, progressive, for BenchmarkDecodeDC.
cjpeg -quality 85 -progressive -outfile prog_page.jpg $P

# EXIF orientation in both byte orders.
cp base_420_opt.jpg exif_6_ii.jpg
exiftool -q -overwrite_original -n -ExifByteOrder=II -Orientation=6 exif_6_ii.jpg
cp grey_q50.jpg exif_8_mm.jpg
exiftool -q -overwrite_original -n -ExifByteOrder=MM -Orientation=8 exif_8_mm.jpg

# Unsupported: arithmetic coding, CMYK.
cjpeg -quality 80 -arithmetic -outfile arith.jpg $C
/usr/bin/python3 -c "
from PIL import Image
Image.open('$C').convert('CMYK').save('cmyk.jpg', quality=80)
"

# Reference luma for files image/jpeg cannot decode (3×2 sampling; a
# restart interval that is not a whole number of MCU rows in progressive AC
# scans).
for f in base_3x2 prog_*rst*.jpg; do
	f=${f%.jpg}
	djpeg -grayscale -pnm -outfile $f.ref.pgm $f.jpg
done
