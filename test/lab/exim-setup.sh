#!/usr/bin/env bash
# Unpacks Debian's Exim 4.96 into DIR without installing it (apt-get download +
# dpkg-deb -x; the lab's Postfix is never touched) and writes DIR/exim, the
# command test/lab/exim.test.ts runs as MAILDIAG_EXIM. The Debian build wants a
# "Debian-exim" user, so DIR/exim runs it under `unshare -m` with copies of
# /etc/passwd and /etc/group that have one. Needs root. Prints DIR/exim.
set -euo pipefail
dir=$(realpath -m "${1:?usage: exim-setup.sh DIR}")
mkdir -p "$dir/root"
cd "$dir"
apt-get download exim4-daemon-light libidn12 >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download exim4-daemon-light libidn12 >/dev/null; }
for deb in ./*.deb; do dpkg-deb -x "$deb" root; done
cp /etc/passwd passwd
cp /etc/group group
grep -q '^Debian-exim:' passwd || echo 'Debian-exim:x:65534:65534::/nonexistent:/usr/sbin/nologin' >> passwd
grep -q '^Debian-exim:' group || echo 'Debian-exim:x:65534:' >> group
cat > run.sh <<RUN
#!/bin/sh
mount --bind $dir/passwd /etc/passwd
mount --bind $dir/group /etc/group
export LD_LIBRARY_PATH=$dir/root/usr/lib/x86_64-linux-gnu
exec $dir/root/usr/sbin/exim4 "\$@"
RUN
printf '#!/bin/sh\nexec unshare -m %s/run.sh "$@"\n' "$dir" > exim
chmod +x run.sh exim
echo "$dir/exim"
