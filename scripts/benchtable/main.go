// Command benchtable prints Go benchmark results of a native and a wasm run
// side by side, with the wasm/native time ratio.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// result is one benchmark line: its time per op and any custom metrics.
type result struct {
	nsPerOp float64
	metrics []string
}

func parse(path string) (map[string]result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res := map[string]result{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		var r result
		for i := 2; i+1 < len(fields); i += 2 {
			val, unit := fields[i], fields[i+1]
			if unit == "ns/op" {
				r.nsPerOp, _ = strconv.ParseFloat(val, 64)
			} else if unit != "B/op" && unit != "allocs/op" {
				r.metrics = append(r.metrics, val+" "+unit)
			}
		}
		res[name] = r
	}
	return res, s.Err()
}

func human(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: benchtable NATIVE.txt WASM.txt")
		os.Exit(2)
	}
	native, err := parse(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	wasm, err := parse(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(native))
	for n := range native {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("| %-44s | %12s | %12s | %10s | %s\n", "benchmark", "native/op", "wasm/op", "wasm/native", "metrics (native)")
	fmt.Printf("|%s|%s|%s|%s|%s\n", strings.Repeat("-", 46), strings.Repeat("-", 14), strings.Repeat("-", 14), strings.Repeat("-", 12), "---")
	for _, n := range names {
		nr := native[n]
		w, ok := wasm[n]
		wcol, ratio := "-", "-"
		if ok && nr.nsPerOp > 0 {
			wcol = human(w.nsPerOp)
			ratio = fmt.Sprintf("%.2fx", w.nsPerOp/nr.nsPerOp)
		}
		fmt.Printf("| %-44s | %12s | %12s | %10s | %s\n", n, human(nr.nsPerOp), wcol, ratio, strings.Join(nr.metrics, ", "))
	}
}
