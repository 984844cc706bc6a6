package nlp

import (
	"fmt"
	"math"
	"strings"
)

// Metrics scores predicted class indices against true ones. Fractions are
// in [0, 1].
type Metrics struct {
	// Accuracy is the fraction of rows predicted correctly; NaN for no
	// rows.
	Accuracy float64
	// MacroF1 is the unweighted mean of the per-class F1 over the classes
	// that occur in the truth or the predictions (as scikit-learn does
	// by default); NaN for no rows.
	MacroF1 float64
	// PerClass holds precision, recall, F1 and support for each class
	// index. A ratio with a zero denominator is 0.
	PerClass []ClassMetrics
	// Confusion[i][j] counts rows of true class i predicted as class j.
	Confusion [][]int
	// N is the number of rows scored.
	N int
}

// ClassMetrics holds one class's scores.
type ClassMetrics struct {
	Precision, Recall, F1 float64
	// Support is the number of rows whose true class this is.
	Support int
	// Predicted is the number of rows predicted as this class.
	Predicted int
}

// Evaluate compares predictions with the truth for classes 0..classes-1.
// It panics if the slices differ in length or hold an index outside
// [0, classes).
func Evaluate(truth, pred []int, classes int) Metrics {
	if len(truth) != len(pred) {
		panic(fmt.Sprintf("nlp: Evaluate: %d true labels, %d predictions", len(truth), len(pred)))
	}
	m := Metrics{Confusion: make([][]int, classes), PerClass: make([]ClassMetrics, classes), N: len(truth)}
	for i := range m.Confusion {
		m.Confusion[i] = make([]int, classes)
	}
	correct := 0
	for i, t := range truth {
		p := pred[i]
		if t < 0 || t >= classes || p < 0 || p >= classes {
			panic(fmt.Sprintf("nlp: Evaluate: row %d: class %d or %d outside [0, %d)", i, t, p, classes))
		}
		m.Confusion[t][p]++
		if t == p {
			correct++
		}
	}
	if len(truth) == 0 {
		m.Accuracy, m.MacroF1 = math.NaN(), math.NaN()
		return m
	}
	m.Accuracy = float64(correct) / float64(len(truth))

	present := 0
	for c := range classes {
		cm := &m.PerClass[c]
		tp := m.Confusion[c][c]
		for j := range classes {
			cm.Support += m.Confusion[c][j]
			cm.Predicted += m.Confusion[j][c]
		}
		cm.Precision = ratio(tp, cm.Predicted)
		cm.Recall = ratio(tp, cm.Support)
		if cm.Precision+cm.Recall > 0 {
			cm.F1 = 2 * cm.Precision * cm.Recall / (cm.Precision + cm.Recall)
		}
		if cm.Support > 0 || cm.Predicted > 0 {
			present++
			m.MacroF1 += cm.F1
		}
	}
	m.MacroF1 /= float64(present)
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// ConfusionTable formats the confusion matrix as aligned text, rows true
// classes and columns predictions, headed by the class names. names may
// be nil (indices are used); otherwise it must have one name per class,
// or ConfusionTable panics.
func (m Metrics) ConfusionTable(names []string) string {
	k := len(m.Confusion)
	if names == nil {
		names = make([]string, k)
		for i := range names {
			names[i] = fmt.Sprint(i)
		}
	}
	if len(names) != k {
		panic(fmt.Sprintf("nlp: ConfusionTable: %d names for %d classes", len(names), k))
	}
	w := len("true\\pred")
	for i, n := range names {
		w = max(w, len(n))
		for _, c := range m.Confusion[i] {
			w = max(w, len(fmt.Sprint(c)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", w, "true\\pred")
	for _, n := range names {
		fmt.Fprintf(&b, " %*s", w, n)
	}
	b.WriteByte('\n')
	for i, row := range m.Confusion {
		fmt.Fprintf(&b, "%-*s", w, names[i])
		for _, c := range row {
			fmt.Fprintf(&b, " %*d", w, c)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
