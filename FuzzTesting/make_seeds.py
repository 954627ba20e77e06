#!/usr/bin/env python3
"""Writes the seed corpora (FuzzTesting/Corpus/<target>/) from the shipped content.

Run from the repository root: python3 FuzzTesting/make_seeds.py
Transcript seeds are real transcripts (FuzzTesting/Corpus/FuzzTranscript/), made once with the
consult binary and kept as they are; this script does not touch them.
Seeds are small on purpose: a fuzzer spends its time on short inputs.
"""
import os, re, shutil, struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "FuzzTesting", "Corpus")

def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def reset(target):
    shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)

def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()

# Dialogs: each shipped file whole (they are a few KiB at most).
reset("FuzzDialogLoader")
for name in sorted(os.listdir(os.path.join(ROOT, "dialogs"))):
    if name.endswith(".yaml"):
        write("FuzzDialogLoader", name, read("dialogs/" + name))

# Locales: each shipped file's header and its first messages (the whole files are 30-40 KiB).
reset("FuzzLocaleLoader")
for lang in ("en", "es", "ru"):
    text = read("locales/%s.yaml" % lang)
    head, _, messages = text.partition("messages:\n")
    lines = [l for l in messages.splitlines() if re.match(r"  [a-z_.]+: \"", l)]
    write("FuzzLocaleLoader", lang + ".yaml", head + "messages:\n" + "\n".join(lines[:24]) + "\n")

# Expressions: every expression written in the shipped dialogs.
reset("FuzzExpression")
exprs = set()
for name in os.listdir(os.path.join(ROOT, "dialogs")):
    if not name.endswith(".yaml"):
        continue
    for m in re.finditer(r"^\s*-?\s*(?:when|value|min|max): (.+)$", read("dialogs/" + name), re.M):
        e = m.group(1).strip()
        if "label:" not in e:
            exprs.add(e.strip('"'))
exprs |= {'date("2027-03-31") + 30', "count(family_members, age < 18) >= 2",
          "any(family_members, relation in [\"child\", \"spouse\"])", "-(1 - 2)"}
for i, e in enumerate(sorted(exprs)):
    write("FuzzExpression", "expr-%02d" % i, e)

# Messages: a language byte, an argument seed byte, then a shipped message with placeholders.
reset("FuzzMessageFormat")
n = 0
for li, lang in enumerate(("en", "es", "ru")):
    for m in re.finditer(r'^  [a-z_.]+: "(.*\{.*)"$', read("locales/%s.yaml" % lang), re.M):
        msg = m.group(1).replace('\\"', '"')
        if n % 3 == li % 3 or "plural" in msg:
            write("FuzzMessageFormat", "msg-%03d" % n, bytes([li, n % 256]) + msg.encode())
        n += 1

# Answers: kind, language, four parameter bytes, then what the applicant typed (FuzzTarget.answerParser).
reset("FuzzAnswerParser")
seeds = [
    (0, 0, b"\0\0\0\0", "yes"), (0, 2, b"\0\0\0\0", "нет"), (0, 1, b"\0\0\0\0", "Sí"),
    (1, 0, b"\0\0\0\0", "2"), (1, 0, b"\1\0\0\0", "work permit"), (1, 2, b"\2\0\0\0", "вто"),
    (1, 0, b"\3\6\1\0", "a"), (2, 0, struct.pack(">hh", 0, 120), "42"), (2, 0, struct.pack(">hh", -5, 5), "-3"),
    (3, 0, b"\1\xf0\1\x10", "31.03.2027"), (3, 1, b"\0\0\0\0", "2027-03-31"), (3, 2, b"\0\0\0\0", "1.3.2027"),
    (4, 0, b"\x40\0\1\0", "+7 (495) 972-30-11"), (4, 0, b"\x40\0\2\0", "name@example.ru"), (4, 2, b"\x20\1\0\0", " "),
]
for i, (kind, lang, params, typed) in enumerate(seeds):
    write("FuzzAnswerParser", "answer-%02d" % i, bytes([kind, lang]) + params + typed.encode())
