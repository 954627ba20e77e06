#!/usr/bin/env python3
"""Each figure of the benchmark suite beside its anchor or goal (`make bench`).

Reads the suite's results as `swift package benchmark baseline read NAME --format markdown
--path stdout` prints them (standard input) and prints one line per figure: the median (and the
99th percentile where the goal names it), the ratio to its anchor, and whether the goal is met.
Figures that were not run (a `BENCH_ARGS` filter) are left out.
"""
import re
import sys

UNITS = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}


def parse(text):
    """{benchmark name: {metric label: {"p50": value, "p99": value, "unit": unit}}}"""
    results = {}
    name = None
    header = None
    for line in text.splitlines():
        if line.startswith("### "):
            name = line[4:].strip()
            results[name] = {}
            header = None
            continue
        if not line.startswith("|") or name is None:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "Metric":
            header = cells
            continue
        if header is None or set(cells[0]) <= set(":-"):
            continue
        label = cells[0].rstrip(" *")
        unit = re.search(r"\(([^()]*)\)\s*$", label)
        row = {"unit": unit.group(1) if unit else ""}
        for key, cell in zip(header[1:], cells[1:]):
            try:
                row[key] = float(cell.replace(",", ""))
            except ValueError:
                pass
        results[name][label] = row
    return results


def time_ms(results, name, percentile="p50"):
    """A wall-clock percentile in milliseconds, or None."""
    for label, row in results.get(name, {}).items():
        if label.startswith("Time (wall clock)") and percentile in row:
            return row[percentile] * UNITS.get(row["unit"], 1.0)
    return None


def custom(results, name, metric, percentile="p50"):
    """A custom metric's percentile, in units (the table writes large counts in K or M)."""
    scale = {"K": 1e3, "M": 1e6, "G": 1e9}
    for label, row in results.get(name, {}).items():
        if label.startswith(metric) and percentile in row:
            return row[percentile] * scale.get(row["unit"], 1.0)
    return None


def fmt_ms(ms):
    if ms is None:
        return "—"
    if ms < 0.01:
        return f"{ms * 1e6:.0f} ns"
    if ms < 1:
        return f"{ms * 1e3:.1f} µs"
    return f"{ms:.1f} ms"


def verdict(ok):
    return "met" if ok else "NOT met"


def main():
    results = parse(sys.stdin.read())
    lines = []

    def add(figure, value, anchor=""):
        lines.append((figure, value, anchor))

    floor = time_ms(results, "Start-up: C libedit floor, first prompt (anchor)")
    for name, figure in [
        ("Start-up: consult start, first prompt (goal ≤ 5× floor)", "consult start, first prompt"),
        ("Start-up: kiosk reset, next first prompt (goal ≤ 5× floor)", "kiosk reset, next first prompt"),
    ]:
        value = time_ms(results, name)
        if value is None:
            continue
        if floor:
            ratio = value / floor
            add(figure, fmt_ms(value), f"{ratio:.1f}× the C floor ({fmt_ms(floor)}); goal ≤ 5×: {verdict(ratio <= 5)}")
        else:
            add(figure, fmt_ms(value), "the C floor was not run")

    for name, figure, goal in [
        ("Content: load, shipped, from the cache (the start path)", "content load, shipped, from the cache (start path)", None),
        ("Content: load + check, shipped (a cache miss)", "content load + check, shipped (a cache miss)", None),
        ("Content: lint, shipped (consult lint)", "consult lint, shipped", None),
        ("Content: load + lint, 10,000 steps (goal < 200 ms)", "load + lint, 10,000 steps", 200.0),
    ]:
        value = time_ms(results, name)
        if value is not None:
            add(figure, fmt_ms(value), f"goal < {goal:.0f} ms: {verdict(value < goal)}" if goal else "")
    formats = {
        name.rsplit(", ", 1)[1]: time_ms(results, name)
        for name in results
        if name.startswith("Content: cache payload read back, shipped, ")
    }
    if formats.get("binary") is not None:
        others = ", ".join(f"{f} {fmt_ms(v)}" for f, v in sorted(formats.items()) if f != "binary" and v is not None)
        add("cache payload read back (warm), binary", fmt_ms(formats["binary"]), f"the form the cache writes; {others}")

    hand = time_ms(results, "Engine: one step by hand, 10,000 steps (anchor)")
    engine_name = "Engine: one step, 10,000 steps (goal ≤ 5× by hand, p99 < 100 µs)"
    engine = time_ms(results, engine_name)
    engine99 = time_ms(results, engine_name, "p99")
    if engine is not None:
        anchor = ""
        if hand:
            ratio = engine / hand
            anchor = f"{ratio:.1f}× by hand ({fmt_ms(hand)}); goal ≤ 5×: {verdict(ratio <= 5)}"
        if engine99 is not None:
            anchor += f"; p99 {fmt_ms(engine99)}, goal < 100 µs: {verdict(engine99 < 0.1)}"
        add("engine, one step", fmt_ms(engine), anchor)

    batch = custom(results, "Headless: consult run --batch, 20,000 profiles in one process (goal ≥ 50,000/s)", "profiles per second")
    if batch is not None:
        add("consult run --batch", f"{batch:,.0f} profiles/s", f"goal ≥ 50,000/s: {verdict(batch >= 50_000)}")
    single = time_ms(results, "Headless: consult run, one process per profile")
    if single is not None:
        add("consult run, one process per profile", fmt_ms(single), "")

    append50 = time_ms(results, "Records: transcript append, durable, per event")
    append99 = time_ms(results, "Records: transcript append, durable, per event", "p99")
    if append50 is not None:
        add("transcript append, durable, per event", f"p50 {fmt_ms(append50)}, p99 {fmt_ms(append99)}", "")

    if not lines:
        print("(no figures: nothing was run)")
        return
    width = max(len(f) for f, _, _ in lines)
    value_width = max(len(v) for _, v, _ in lines)
    print("Figures beside their anchors (medians unless said):")
    for figure, value, anchor in lines:
        print(f"  {figure.ljust(width)}  {value.rjust(value_width)}   {anchor}".rstrip())


if __name__ == "__main__":
    main()
