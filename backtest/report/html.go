package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
)

// pageTemplate is the self-contained HTML page: inline CSS, images as
// data URIs, no scripts and no external resources.
const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Sum.Title}}</title>
<style>
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.period { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.7em; }
th { background: #f3f5f7; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2em 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
dl.conv dt { font-weight: 600; margin-top: 0.5em; }
dl.conv dd { margin-left: 1.2em; color: #333; }
</style>
</head>
<body>
<h1>{{.Sum.Title}}</h1>
<p class="period">Out-of-sample period: {{.Sum.Period.Start}} (start, equity = 1) to {{.Sum.Period.End}};
{{.Sum.Period.Bars}} bars, {{printf "%.2f" .Sum.Period.Years}} years. Execution: {{.Sum.Conventions.Execution}};
costs {{.Sum.Conventions.CostBps}} bp + slippage {{.Sum.Conventions.SlippageBps}} bp per side; annualisation {{.Sum.Conventions.PeriodsPerYear}} bars per year.</p>

<h2>Metrics</h2>
<table>
<tr><th>Metric</th><th>Strategy</th><th>Buy and hold</th></tr>
{{- range .Rows}}
<tr><td>{{.Label}}</td><td class="n">{{.Strategy}}</td><td class="n">{{.Benchmark}}</td></tr>
{{- end}}
</table>
{{if .Assets}}
<h2>Per asset</h2>
<table>
<tr>{{range .AssetHeader}}<th>{{.}}</th>{{end}}</tr>
{{- range .Assets}}
<tr>{{range $i, $c := .}}{{if eq $i 0}}<td>{{$c}}</td>{{else}}<td class="n">{{$c}}</td>{{end}}{{end}}</tr>
{{- end}}
</table>
{{end}}
<h2>Charts</h2>
{{- range .Plots}}
<figure>
<img {{.Src}} alt="{{.Title}}">
<figcaption>{{.Title}} (also {{.SVG}} in this folder).</figcaption>
</figure>
{{- end}}
{{if .Sum.Settings}}
<h2>Settings</h2>
<table>
{{- range .Sum.Settings}}
<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>
{{- end}}
</table>
{{end}}
<h2>Conventions</h2>
<dl class="conv">
{{- range .Conventions}}
<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>
{{- end}}
</dl>
{{if .Sum.Notes}}
<h2>Notes</h2>
<ul>
{{- range .Sum.Notes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{end}}
</body>
</html>
`

type htmlPlot struct {
	Title, SVG string
	Src        template.HTMLAttr
}

func renderHTML(r *Report, sum Summary, plots []renderedPlot) ([]byte, error) {
	tmpl, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return nil, fmt.Errorf("report: html template: %w", err)
	}
	data := struct {
		Sum         Summary
		Rows        []row
		AssetHeader []string
		Assets      [][]string
		Plots       []htmlPlot
		Conventions [][2]string
	}{
		Sum:         sum,
		Rows:        metricRows(sum.Metrics.Strategy, sum.Metrics.Benchmark),
		AssetHeader: assetHeader(),
		Conventions: conventionRows(sum.Conventions),
	}
	for _, a := range sum.Assets {
		data.Assets = append(data.Assets, assetCells(a))
	}
	for _, p := range plots {
		// The attribute is built here from our own PNG bytes; base64 uses
		// only [A-Za-z0-9+/=], which need no escaping inside quotes, so
		// it is safe to pass it to html/template as trusted.
		src := `src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(p.png) + `"`
		data.Plots = append(data.Plots, htmlPlot{Title: p.title, SVG: p.name + ".svg", Src: template.HTMLAttr(src)})
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("report: html: %w", err)
	}
	return buf.Bytes(), nil
}
