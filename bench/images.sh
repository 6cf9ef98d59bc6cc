#!/bin/sh
# Shrinking one camera photo for the phone edition: coursepack's libvips
# path (builder/base/image.c, shrink-on-load) against the tools Debian offers.
# Usage: bench/images.sh IMAGE_PHONE_BINARY [RUNS]   (make bench-images)
#
# The photo is made here, never committed: 4000 x 3000 px of ImageMagick's
# plasma fractal (noise and gradients, so it compresses like a photo, not
# like a flat test card), JPEG quality 92, with the EXIF a phone writes
# (orientation 6, GPS position, serial number).  Each variant runs RUNS
# times (default 5) under GNU time; the table gives the median wall time,
# the median CPU time and the largest peak RSS, the output's size and
# whether exiftool still finds GPS tags in it.  Prints Markdown.
set -eu
bin=$1
runs=${2:-5}
dir=$(mktemp -d "${TMPDIR:-/tmp}/coursepack-images.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
photo=$dir/photo.jpg small=$dir/small.jpg

convert -seed 12 -size 4000x3000 plasma:green-tan -quality 92 "$photo"
exiftool -q -overwrite_original -n -Orientation=6 -Make=Huawei -Model='Mate 30' \
	-SerialNumber=SN0123456789XYZ -GPSLatitude=28.6012 -GPSLatitudeRef=N \
	-GPSLongitude=117.9423 -GPSLongitudeRef=E "$photo"
convert "$photo" -resize 64x48 "$small"

# name|command (with IN and OUT); every variant fits the photo within
# 1280 px, turns it upright and drops its metadata, unless its name says
# otherwise.  The jpeg:size and -size hints let libjpeg decode at 1/2
# scale (2000 x 1500), as libvips's shrink-on-load does.
variants='coursepack image_for_phone (libvips 8.14 thumbnail, shrink-on-load)|"$bin" IN OUT.jpg
coursepack image_for_phone, the photo 10 times in one process (divide by 10)|"$bin" IN OUT.jpg 10
coursepack image_for_phone on a 64 x 48 photo (what loading libvips costs)|"$bin" "$small" OUT.jpg
vipsthumbnail (the same library from its command line)|vipsthumbnail IN --size 1280 -o "OUT.jpg[Q=80,strip,optimize_coding]"
ImageMagick 6 convert -resize|convert IN -auto-orient -resize 1280x1280 -strip -quality 80 OUT.jpg
ImageMagick 6 with jpeg:size (its shrink-on-load)|convert -define jpeg:size=1280x1280 IN -auto-orient -thumbnail 1280x1280 -strip -quality 80 OUT.jpg
GraphicsMagick 1.3 -size (its shrink-on-load)|gm convert -size 1280x1280 IN -auto-orient -resize 1280x1280 +profile "*" -quality 80 OUT.jpg
libjpeg-turbo djpeg -scale 3/8 into cjpeg (1500 px, not turned: the floor)|djpeg -scale 3/8 IN | cjpeg -quality 80 -optimize > OUT.jpg'

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "Photo: 4000 x 3000 px, $(($(stat -c %s "$photo") / 1024)) KiB, JPEG q92, EXIF orientation 6 with GPS."
echo "Machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each."
echo
echo "| variant | median wall (s) | median CPU user+sys (s) | peak RSS (MiB) | output | size (KiB) | GPS left |"
echo "|---|---:|---:|---:|---|---:|---|"
n=0
printf '%s\n' "$variants" | while IFS='|' read -r name cmd; do
	n=$((n + 1))
	out=$dir/out$n
	cmd=$(printf '%s' "$cmd" | sed "s|IN|\"\$photo\"|; s|OUT|$out|")
	: >"$dir/times"
	i=0
	while [ $i -lt "$runs" ]; do
		rm -f "$out.jpg"
		/usr/bin/time -f '%e %U %S %M' -o "$dir/t" sh -c "bin='$bin' photo='$photo' small='$small'; $cmd" >/dev/null 2>"$dir/err" ||
			{ echo "| $name | failed: $(head -c 200 "$dir/err") | | | | | |"; continue 2; }
		cat "$dir/t" >>"$dir/times"
		i=$((i + 1))
	done
	wall=$(awk '{ print $1 }' "$dir/times" | median)
	cpu=$(awk '{ printf "%.2f\n", $2 + $3 }' "$dir/times" | median)
	rss=$(awk '{ if ($4 > m) m = $4 } END { printf "%.0f", m / 1024 }' "$dir/times")
	dims=$(vipsheader -f width "$out.jpg")x$(vipsheader -f height "$out.jpg")
	size=$(awk -v b="$(stat -c %s "$out.jpg")" 'BEGIN { printf "%.1f", b / 1024 }')
	if exiftool -q -GPS:all "$out.jpg" | grep -q .; then gps=yes; else gps=no; fi
	echo "| $name | $wall | $cpu | $rss | $dims | $size | $gps |"
done
