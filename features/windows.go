package features

// WindowSet holds samples for a sequence model. Sample i covers the bars
// End[i]-Window+1 .. End[i]; its inputs are
//
//	X[i*Window*Features + s*Features + j] = cols[j][End[i]-Window+1+s]
//
// for step s in 0..Window-1 (oldest first) and feature j, that is
// time-major rows of Features values, and its target is Y[i] =
// target[End[i]]. End is ascending.
type WindowSet struct {
	X        []float64
	Y        []float64
	End      []int
	Window   int
	Features int
}

// Len returns the number of samples, len(s.End).
func (s *WindowSet) Len() int { return len(s.End) }

// Windows builds one sample for each end bar t in [from, to) such that
// t-window+1 >= 0, every feature is finite on bars t-window+1..t and
// target[t] is finite; other end bars are skipped silently. The end bars
// are returned in End so callers can align predictions with prices.
// window counts bars. An empty result (no qualifying bar, or from == to) is
// not an error: the WindowSet has empty, non-nil slices.
//
// Only the targets at the end bars are read, so when target[t] is a
// forward return the caller must keep the look-ahead of target[t] inside
// the training period (for example to = trainEnd - h).
//
// It returns an *Error wrapping ErrInvalidArgument when window < 1, cols
// is empty, or not 0 <= from <= to <= len(target), and ErrLengthMismatch
// naming the column when a column's length differs from len(target).
func Windows(cols [][]float64, target []float64, window int, from, to int) (*WindowSet, error) {
	const op = "Windows"
	n := len(target)
	switch {
	case window < 1:
		return nil, argError(op, "window", ErrInvalidArgument, "%d < 1", window)
	case len(cols) == 0:
		return nil, argError(op, "cols", ErrInvalidArgument, "no feature columns")
	case from < 0 || to > n || from > to:
		return nil, argError(op, "from, to", ErrInvalidArgument, "[%d, %d) outside [0, %d]", from, to, n)
	}
	for j, c := range cols {
		if len(c) != n {
			return nil, colError(op, "", j, ErrLengthMismatch, "%d rows, target has %d", len(c), n)
		}
	}

	// run[t]: how many consecutive bars ending at t have every feature
	// finite; only bars from max(0, from-window+1) onwards matter.
	nf := len(cols)
	start := max(0, from-window+1)
	run := 0
	var ends []int
	for t := start; t < to; t++ {
		ok := true
		for _, c := range cols {
			if !finite(c[t]) {
				ok = false
				break
			}
		}
		if ok {
			run++
		} else {
			run = 0
		}
		if t >= from && run >= window && finite(target[t]) {
			ends = append(ends, t)
		}
	}

	ws := &WindowSet{
		X:        make([]float64, 0, len(ends)*window*nf),
		Y:        make([]float64, 0, len(ends)),
		End:      make([]int, 0, len(ends)),
		Window:   window,
		Features: nf,
	}
	for _, t := range ends {
		for b := t - window + 1; b <= t; b++ {
			for _, c := range cols {
				ws.X = append(ws.X, c[b])
			}
		}
		ws.Y = append(ws.Y, target[t])
		ws.End = append(ws.End, t)
	}
	return ws, nil
}
