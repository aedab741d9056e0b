#!/usr/bin/env python3
"""Typo generator for tests/eval/typos.sh: for each query of stdin (one a
line) that has a word of 5 or more letters, writes qid TAB query TAB the
query with one edit (insert, delete, substitute or swap of letters) in one
such word, chosen with random.Random(seed) (argv[1]): the same pairs on
every machine and Python 3 version."""
import random
import sys

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 13)
letters = "abcdefghijklmnopqrstuvwxyz"


def edit(w):
    while True:
        i = rng.randrange(len(w))
        kind = rng.choice(("insert", "delete", "substitute", "swap"))
        if kind == "insert":
            t = w[:i] + rng.choice(letters) + w[i:]
        elif kind == "delete":
            t = w[:i] + w[i + 1:]
        elif kind == "substitute":
            t = w[:i] + rng.choice(letters) + w[i + 1:]
        else:
            i = min(i, len(w) - 2)
            t = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        if t.lower() != w.lower():
            return t


for n, line in enumerate(sys.stdin, 1):
    q = line.rstrip("\n").split("\t")[-1]
    words = q.split(" ")
    cand = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not cand:
        continue
    i = rng.choice(cand)
    typo = words[:i] + [edit(words[i])] + words[i + 1:]
    print(f"{n}\t{q}\t{' '.join(typo)}")
