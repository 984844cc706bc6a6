package models

import (
	"math"
	"runtime"
	"sync"
	"unsafe"
)

// gemmPar is gemm without transposes, split by rows of C over up to
// GOMAXPROCS goroutines when the product is large.
func gemmPar[T float](m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m*n*k < 1<<18 {
		gemm(false, false, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// Split in blocks of 4 rows, the micro-kernel's height.
	parallelRows((m+3)/4, 2, func(q0, q1 int) {
		r0, r1 := 4*q0, min(4*q1, m)
		gemm(false, false, r1-r0, n, k, a[r0*lda:], lda, b, ldb, beta, c[r0*ldc:], ldc)
	})
}

// sumRows sets dst[j] to the sum over the rows of m (rows×cols) of
// column off+j.
func sumRows[T float](dst, m []T, rows, cols, off int) {
	clear(dst)
	for r := 0; r < rows; r++ {
		for j, v := range m[r*cols+off : r*cols+off+len(dst)] {
			dst[j] += v
		}
	}
}

// transpose writes the transpose of src (rows×cols, row-major) into dst
// (cols×rows).
func transpose[T float](dst, src []T, rows, cols int) {
	transposeRows(dst, src, rows, cols, 0, rows)
}

// fast32 reports whether T is float32 and the AVX2 kernels can run.
func fast32[T float]() bool {
	var v T
	return unsafe.Sizeof(v) == 4 && hasFMAKernel()
}

// asF32 views a float32 slice of generic type as []float32; only valid
// when fast32[T]() holds.
func asF32[T float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// sigm is the logistic function; float32 uses exp32, float64 math.Exp.
func sigm[T float](v T) T {
	if unsafe.Sizeof(v) == 4 {
		return T(1 / (1 + exp32(-float32(v))))
	}
	return T(1 / (1 + math.Exp(-float64(v))))
}

// tanhT is tanh; float32 computes it as 1 − 2/(e^{2v} + 1) with exp32.
func tanhT[T float](v T) T {
	if unsafe.Sizeof(v) == 4 {
		return T(1 - 2/(exp32(2*float32(v))+1))
	}
	return T(math.Tanh(float64(v)))
}

// exp32 is e^x in float32 with a relative error below 3e-7: x·log2(e) is
// (in float64)
// split into an integer n and a remainder f in [-0.5, 0.5], e^{f·ln 2}
// comes from its degree-6 Taylor polynomial, and 2^n is put into the
// exponent bits. Arguments are clamped to [-87, 88] (results stay
// normal; the sigmoid and tanh above saturate correctly there).
const roundMagic = 1.5 * (1 << 52)

func exp32(x float32) float32 {
	x = min(max(x, -87), 88)
	t := float64(x) * math.Log2E
	// Adding and subtracting 1.5·2^52 rounds t to the nearest integer
	// (|t| < 2^51), whose value then sits in the low mantissa bits.
	r := t + roundMagic
	n := r - roundMagic
	y := float32((t - n) * math.Ln2)
	p := 1 + y*(1+y*(1.0/2+y*(1.0/6+y*(1.0/24+y*(1.0/120+y*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(math.Float64bits(r))+127)<<23)
}

// cellKind selects the recurrence of a fused sequence kernel.
type cellKind int

const (
	cellTanh cellKind = iota // h' = tanh(x·W + h·U + b)
	cellReLU                 // h' = max(0, x·W + h·U + b)
	cellLSTM                 // gates i, f, g, o (see the package documentation)
)

// cellDims fixes the sizes of a fused sequence kernel.
type cellDims struct {
	kind                    cellKind
	batch, steps, in, units int
	gates                   int // 4 for an LSTM, else 1
}

// seqLens holds the valid length of each batch row of a graph (nil: every
// row has all steps). Fit and Predict fill it before each run.
type seqLens struct{ n []int }

func (l *seqLens) valid(b, t int) bool { return l == nil || l.n == nil || t < l.n[b] }

// last returns the last valid step of row b.
func (l *seqLens) last(b, steps int) int {
	if l == nil || l.n == nil {
		return steps - 1
	}
	return l.n[b] - 1
}

// seqCell is the state of one fused recurrent layer in one graph: the
// activations of the last forward pass, kept for the backward pass, and
// scratch. All matrices are row-major with one row per (sample, step),
// sample-major, so that a sample's steps are contiguous, as in the
// input [batch, steps×features].
type seqCell[T float] struct {
	cellDims
	lens *seqLens

	a     []T // [B·T, G·H]: LSTM gates after their activations
	hs    []T // [B·T, H]: state after step t (RNN: pre-activation first)
	hprev []T // [B·T, H]: state before step t (zero at t = 0)
	cs    []T // [B·T, H]: LSTM cell state after step t
	tc    []T // [B·T, H]: tanh of the cell state

	da     []T // [B·T, G·H]: gradient of the gate pre-activations
	dh, dc []T // [B, H]: running gradients of state and cell
	dhn    []T // [B, H]: dh of the previous step

	// Transposed copies for the backward products, so that every product
	// is A·B without transposes (the fast float32 kernel's only form).
	ut  []T // [G·H, H]
	wt  []T // [G·H, F]
	hpt []T // [H, B·T]
	xt  []T // [F, B·T]

	zero []T // [H] zeros: the cell before step 0
}

func newSeqCell[T float](d cellDims, lens *seqLens) *seqCell[T] {
	bt, h, gh := d.batch*d.steps, d.units, d.gates*d.units
	c := &seqCell[T]{cellDims: d, lens: lens}
	c.hs = make([]T, bt*h)
	c.hprev = make([]T, bt*h)
	c.da = make([]T, bt*gh)
	c.dh = make([]T, d.batch*h)
	c.dc = make([]T, d.batch*h)
	c.dhn = make([]T, d.batch*h)
	c.ut = make([]T, gh*h)
	c.wt = make([]T, gh*d.in)
	c.hpt = make([]T, h*bt)
	c.xt = make([]T, d.in*bt)
	c.zero = make([]T, h)
	if d.kind == cellLSTM {
		c.a = make([]T, bt*gh)
		c.cs = make([]T, bt*h)
		c.tc = make([]T, bt*h)
	}
	return c
}

// parallelRows runs f over up to GOMAXPROCS contiguous row ranges of
// [0, n), at least minRows rows each, and waits for them.
func parallelRows(n, minRows int, f func(r0, r1 int)) {
	parts := min(runtime.GOMAXPROCS(0), n/max(minRows, 1))
	if parts <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		r0, r1 := p*n/parts, (p+1)*n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(r0, r1)
		}()
	}
	wg.Wait()
}

// minParRows is the smallest batch slice worth its own goroutine.
const minParRows = 16

// forward runs the recurrence over x ([B, T·F]) with kernels w ([F, G·H]),
// u ([H, G·H]) and bias ([G·H]) and writes the output into out: every
// step's state [B, T·H] (zero at padded steps) when seq is set, else the
// state at each row's last valid step [B, H].
func (c *seqCell[T]) forward(out, x, w, u, bias []T, seq bool) {
	parallelRows(c.batch, minParRows, func(b0, b1 int) { c.forwardRows(b0, b1, x, w, u, bias) })

	gatherStates(out, c.hs, c.batch, c.steps, c.units, c.lens, seq)
}

// forwardRows runs the recurrence for batch rows [b0, b1).
func (c *seqCell[T]) forwardRows(b0, b1 int, x, w, u, bias []T) {
	steps, f, h, gh := c.steps, c.in, c.units, c.gates*c.units
	nb := b1 - b0
	pre := c.hs // pre-activations: in place for the RNN, gates for the LSTM
	if c.kind == cellLSTM {
		pre = c.a
	}

	// Input projection of every step at once: pre = X·W + b.
	rows := pre[b0*steps*gh : b1*steps*gh]
	for r := 0; r < nb*steps; r++ {
		copy(rows[r*gh:(r+1)*gh], bias)
	}
	gemm(false, false, nb*steps, gh, f, x[b0*steps*f:], f, w, gh, 1, rows, gh)
	for b := b0; b < b1; b++ {
		clear(c.hprev[b*steps*h : (b*steps+1)*h])
	}

	for t := 0; t < steps; t++ {
		if t > 0 {
			gemm(false, false, nb, gh, h, c.hprev[(b0*steps+t)*h:], steps*h, u, gh, 1, pre[(b0*steps+t)*gh:], steps*gh)
		}
		for b := b0; b < b1; b++ {
			r := b*steps + t
			hr := c.hs[r*h : (r+1)*h]
			hp := c.hprev[r*h : (r+1)*h]
			if !c.lens.valid(b, t) {
				copy(hr, hp)
				if c.kind == cellLSTM {
					if t > 0 {
						copy(c.cs[r*h:(r+1)*h], c.cs[(r-1)*h:r*h])
					} else {
						clear(c.cs[r*h : (r+1)*h])
					}
				}
			} else {
				switch c.kind {
				case cellTanh:
					if fast32[T]() {
						tanhVec(asF32(hr), asF32(hr))
						break
					}
					for j, v := range hr {
						hr[j] = tanhT(v)
					}
				case cellReLU:
					for j, v := range hr {
						hr[j] = max(v, 0)
					}
				case cellLSTM:
					c.lstmStep(r, t > 0)
				}
			}
			if t+1 < steps {
				copy(c.hprev[(r+1)*h:(r+2)*h], hr)
			}
		}
	}
}

// lstmStep applies the gate activations of row r and updates the cell and
// state; hasPrev is false at t = 0, where the previous cell is zero.
func (c *seqCell[T]) lstmStep(r int, hasPrev bool) {
	h := c.units
	a := c.a[r*4*h : (r+1)*4*h]
	ai, af, ag, ao := a[:h], a[h:2*h], a[2*h:3*h], a[3*h:]
	cs, tc, hr := c.cs[r*h:(r+1)*h], c.tc[r*h:(r+1)*h], c.hs[r*h:(r+1)*h]
	var cp []T
	if hasPrev {
		cp = c.cs[(r-1)*h : r*h]
	}
	if fast32[T]() {
		sigmoidVec(asF32(a[:2*h]), asF32(a[:2*h]))
		tanhVec(asF32(ag), asF32(ag))
		sigmoidVec(asF32(ao), asF32(ao))
		for j := 0; j < h; j++ {
			cv := ai[j] * ag[j]
			if cp != nil {
				cv += af[j] * cp[j]
			}
			cs[j] = cv
		}
		tanhVec(asF32(tc), asF32(cs))
		for j := 0; j < h; j++ {
			hr[j] = ao[j] * tc[j]
		}
		return
	}
	for j := 0; j < h; j++ {
		i, fg, g, o := sigm(ai[j]), sigm(af[j]), tanhT(ag[j]), sigm(ao[j])
		ai[j], af[j], ag[j], ao[j] = i, fg, g, o
		cv := i * g
		if cp != nil {
			cv += fg * cp[j]
		}
		cs[j] = cv
		tc[j] = tanhT(cv)
		hr[j] = o * tc[j]
	}
}

// backward computes the gradients of the last forward pass from gOut,
// the gradient of its output (shaped like that output), into dx (when
// not nil), dw, du and db, which it overwrites.
func (c *seqCell[T]) backward(gOut, x, w, u, dx, dw, du, db []T, seq bool) {
	bt, f, h, gh := c.batch*c.steps, c.in, c.units, c.gates*c.units
	transpose(c.ut, u, h, gh)
	parallelRows(c.batch, minParRows, func(b0, b1 int) { c.backwardRows(b0, b1, gOut, seq) })

	// Two independent tasks (transposes, then the bias sum by column
	// halves) share the cores before the products.
	parallelRows(2, 1, func(k0, k1 int) {
		if k0 == 0 {
			transpose(c.xt, x[:bt*f], bt, f)
			sumRows(db[:gh/2], c.da, bt, gh, 0)
		}
		if k1 == 2 {
			transpose(c.hpt, c.hprev, bt, h)
			sumRows(db[gh/2:], c.da, bt, gh, gh/2)
		}
	})
	gemmPar(f, gh, bt, c.xt, bt, c.da, gh, 0, dw, gh)
	gemmPar(h, gh, bt, c.hpt, bt, c.da, gh, 0, du, gh)
	if dx != nil {
		transpose(c.wt, w, f, gh)
		gemmPar(bt, f, gh, c.da, gh, c.wt, f, 0, dx, f)
	}
}

// backwardRows runs backpropagation through time for batch rows [b0, b1),
// filling c.da.
func (c *seqCell[T]) backwardRows(b0, b1 int, gOut []T, seq bool) {
	steps, h, gh := c.steps, c.units, c.gates*c.units
	nb := b1 - b0
	dh, dc := c.dh[b0*h:b1*h], c.dc[b0*h:b1*h]
	clear(dc)
	if seq {
		clear(dh)
	} else {
		copy(dh, gOut[b0*h:b1*h])
	}
	for t := steps - 1; t >= 0; t-- {
		for b := b0; b < b1; b++ {
			r := b*steps + t
			da := c.da[r*gh : (r+1)*gh]
			if !c.lens.valid(b, t) {
				clear(da)
				continue
			}
			dhb := c.dh[b*h : (b+1)*h]
			if seq {
				for j, v := range gOut[r*h : (r+1)*h] {
					dhb[j] += v
				}
			}
			hr := c.hs[r*h : (r+1)*h]
			switch c.kind {
			case cellTanh:
				for j, v := range hr {
					da[j] = dhb[j] * (1 - v*v)
				}
			case cellReLU:
				for j, v := range hr {
					if v > 0 {
						da[j] = dhb[j]
					} else {
						da[j] = 0
					}
				}
			case cellLSTM:
				c.lstmBack(r, t > 0, dhb, c.dc[b*h:(b+1)*h])
			}
		}
		if t == 0 {
			break
		}
		dhn := c.dhn[b0*h : b1*h]
		gemm(false, false, nb, h, gh, c.da[(b0*steps+t)*gh:], steps*gh, c.ut, h, 0, dhn, h)
		for b := b0; b < b1; b++ {
			if c.lens.valid(b, t) {
				copy(c.dh[b*h:(b+1)*h], c.dhn[b*h:(b+1)*h])
			}
		}
	}
}

// lstmBack fills the gate gradients of row r from the state gradient dh
// and the running cell gradient dc, which it carries to the previous step.
func (c *seqCell[T]) lstmBack(r int, hasPrev bool, dh, dc []T) {
	h := c.units
	a := c.a[r*4*h : (r+1)*4*h]
	da := c.da[r*4*h : (r+1)*4*h]
	tc := c.tc[r*h : (r+1)*h]
	var cp []T
	if hasPrev {
		cp = c.cs[(r-1)*h : r*h]
	}
	j0 := 0
	if fast32[T]() && h >= 8 {
		cpv := cp
		if cpv == nil {
			cpv = c.zero
		}
		args := lstmBackArgs{
			a: &asF32(a)[0], tc: &asF32(tc)[0], cp: &asF32(cpv)[0],
			dh: &asF32(dh)[0], dc: &asF32(dc)[0], da: &asF32(da)[0], stride4: 4 * h,
		}
		lstmBack8(&args, h/8)
		j0 = h &^ 7
	}
	for j := j0; j < h; j++ {
		i, fg, g, o := a[j], a[h+j], a[2*h+j], a[3*h+j]
		tcj := tc[j]
		dcj := dc[j] + dh[j]*o*(1-tcj*tcj)
		da[j] = dcj * g * i * (1 - i)
		if cp != nil {
			da[h+j] = dcj * cp[j] * fg * (1 - fg)
		} else {
			da[h+j] = 0
		}
		da[2*h+j] = dcj * i * (1 - g*g)
		da[3*h+j] = dh[j] * tcj * o * (1 - o)
		dc[j] = dcj * fg
	}
}

// attnCell is the state of one alstm attention pooling in one graph:
//
//	z_t = tanh(h_t·Wa + Ba),  s_t = z_t·Va,  α = softmax(s) over valid t,
//	out = [h_last, Σ_t α_t h_t]
//
// where h_t are the LSTM states [B·T, H] (sample-major).
type attnCell[T float] struct {
	batch, steps, units int
	lens                *seqLens

	z     []T // [B·T, H]
	alpha []T // [B·T]
	dz    []T // [B·T, H]
	dal   []T // [B·T]: gradient of α
}

func newAttnCell[T float](batch, steps, units int, lens *seqLens) *attnCell[T] {
	bt := batch * steps
	return &attnCell[T]{batch: batch, steps: steps, units: units, lens: lens,
		z: make([]T, bt*units), alpha: make([]T, bt), dz: make([]T, bt*units), dal: make([]T, bt)}
}

// forward pools hs into out [B, 2H].
func (c *attnCell[T]) forward(out, hs, wa, ba, va []T) {
	steps, h := c.steps, c.units
	bt := c.batch * steps
	for r := 0; r < bt; r++ {
		copy(c.z[r*h:(r+1)*h], ba)
	}
	gemm(false, false, bt, h, h, hs, h, wa, h, 1, c.z, h)
	for i, v := range c.z {
		c.z[i] = tanhT(v)
	}
	for b := 0; b < c.batch; b++ {
		last := c.lens.last(b, steps)
		alpha := c.alpha[b*steps : (b+1)*steps]
		maxS := T(math.Inf(-1))
		for t := 0; t <= last; t++ {
			var s T
			for j, v := range c.z[(b*steps+t)*h : (b*steps+t+1)*h] {
				s += v * va[j]
			}
			alpha[t] = s
			maxS = max(maxS, s)
		}
		var sum T
		for t := 0; t <= last; t++ {
			alpha[t] = T(math.Exp(float64(alpha[t] - maxS)))
			sum += alpha[t]
		}
		for t := range alpha {
			if t <= last {
				alpha[t] /= sum
			} else {
				alpha[t] = 0
			}
		}
		o := out[b*2*h : (b+1)*2*h]
		copy(o[:h], hs[(b*steps+last)*h:])
		pooled := o[h:]
		clear(pooled)
		for t := 0; t <= last; t++ {
			for j, v := range hs[(b*steps+t)*h : (b*steps+t+1)*h] {
				pooled[j] += alpha[t] * v
			}
		}
	}
}

// backward computes the gradients of the last forward pass from gOut
// [B, 2H] into dhs, dwa, dba and dva, which it overwrites.
func (c *attnCell[T]) backward(gOut, hs, wa, va, dhs, dwa, dba, dva []T) {
	steps, h := c.steps, c.units
	bt := c.batch * steps
	clear(dhs)
	clear(dva)
	for b := 0; b < c.batch; b++ {
		last := c.lens.last(b, steps)
		gl, gp := gOut[b*2*h:b*2*h+h], gOut[b*2*h+h:(b+1)*2*h]
		for j, v := range gl {
			dhs[(b*steps+last)*h+j] += v
		}
		alpha := c.alpha[b*steps : (b+1)*steps]
		// dα_t = gp·h_t, then ds_t = α_t (dα_t − Σ α dα).
		var mean T
		dAlpha := c.dal[b*steps : (b+1)*steps]
		for t := 0; t <= last; t++ {
			r := b*steps + t
			var d T
			for j, v := range hs[r*h : (r+1)*h] {
				d += gp[j] * v
				dhs[r*h+j] += alpha[t] * gp[j]
			}
			dAlpha[t] = d
			mean += alpha[t] * d
		}
		for t := 0; t < steps; t++ {
			r := b*steps + t
			dz := c.dz[r*h : (r+1)*h]
			if t > last {
				clear(dz)
				continue
			}
			s := alpha[t] * (dAlpha[t] - mean)
			z := c.z[r*h : (r+1)*h]
			for j, zv := range z {
				dva[j] += s * zv
				dz[j] = s * va[j] * (1 - zv*zv)
			}
		}
	}
	gemm(true, false, h, h, bt, hs, h, c.dz, h, 0, dwa, h)
	clear(dba)
	for r := 0; r < bt; r++ {
		for j, v := range c.dz[r*h : (r+1)*h] {
			dba[j] += v
		}
	}
	gemm(false, true, bt, h, h, c.dz, h, wa, h, 1, dhs, h)
}

// gatherStates writes a recurrent layer's output from hs, every row's
// state at every step ([B, T·H]): all of hs, with padded steps zeroed,
// when seq is set, else each row's state at its last step [B, H]. Padded
// steps carry the state forward, so the last step holds the state after
// the last valid one.
func gatherStates[T float](out, hs []T, batch, steps, h int, lens *seqLens, seq bool) {
	switch {
	case seq && (lens == nil || lens.n == nil):
		copy(out, hs)
	case seq:
		for b := 0; b < batch; b++ {
			for t := 0; t < steps; t++ {
				dst := out[(b*steps+t)*h : (b*steps+t+1)*h]
				if lens.valid(b, t) {
					copy(dst, hs[(b*steps+t)*h:])
				} else {
					clear(dst)
				}
			}
		}
	default:
		for b := 0; b < batch; b++ {
			copy(out[b*h:(b+1)*h], hs[(b*steps+steps-1)*h:])
		}
	}
}
