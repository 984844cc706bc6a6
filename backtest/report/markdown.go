package report

import (
	"bytes"
	"fmt"
	"strings"
)

// mdEscape makes a table cell safe: pipes are escaped and newlines
// flattened.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

func mdRow(b *bytes.Buffer, cells ...string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = mdEscape(c)
	}
	fmt.Fprintf(b, "| %s |\n", strings.Join(esc, " | "))
}

func mdRule(b *bytes.Buffer, left int, n int) {
	cells := make([]string, n)
	for i := range cells {
		cells[i] = "---:"
		if i < left {
			cells[i] = "---"
		}
	}
	fmt.Fprintf(b, "|%s|\n", strings.Join(cells, "|"))
}

// renderMarkdown writes report.md: summary, tables, links to the PNGs
// (and SVGs) in the same folder, settings, conventions and notes.
func renderMarkdown(sum Summary) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", sum.Title)
	fmt.Fprintf(&b, "Out-of-sample period: %s (start, equity = 1) to %s; %d bars, %.2f years. ",
		sum.Period.Start, sum.Period.End, sum.Period.Bars, sum.Period.Years)
	c := sum.Conventions
	fmt.Fprintf(&b, "Execution: %s; costs %g bp + slippage %g bp per side; annualisation %g bars per year.\n\n",
		c.Execution, c.CostBps, c.SlippageBps, c.PeriodsPerYear)

	b.WriteString("## Metrics\n\n")
	mdRow(&b, "Metric", "Strategy", "Buy and hold")
	mdRule(&b, 1, 3)
	for _, rw := range metricRows(sum.Metrics.Strategy, sum.Metrics.Benchmark) {
		mdRow(&b, rw.Label, rw.Strategy, rw.Benchmark)
	}
	if len(sum.Assets) > 0 {
		b.WriteString("\n## Per asset\n\n")
		mdRow(&b, assetHeader()...)
		mdRule(&b, 2, len(assetHeader()))
		for _, a := range sum.Assets {
			mdRow(&b, assetCells(a)...)
		}
	}

	b.WriteString("\n## Charts\n\n")
	for _, p := range sum.Plots {
		fmt.Fprintf(&b, "![%s](%s)\n\n%s ([SVG](%s))\n\n", p.Title, p.PNG, p.Title, p.SVG)
	}

	if len(sum.Settings) > 0 {
		b.WriteString("## Settings\n\n")
		mdRow(&b, "Setting", "Value")
		mdRule(&b, 2, 2)
		for _, s := range sum.Settings {
			mdRow(&b, s.Key, s.Value)
		}
		b.WriteString("\n")
	}

	b.WriteString("## Conventions\n\n")
	for _, cv := range conventionRows(c) {
		fmt.Fprintf(&b, "- **%s**: %s\n", cv[0], cv[1])
	}
	if len(sum.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range sum.Notes {
			fmt.Fprintf(&b, "- %s\n", strings.Join(strings.Fields(n), " "))
		}
	}
	return b.Bytes()
}
