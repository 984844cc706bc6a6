package models

// gruCell is the state of one fused GRU layer in one graph (equations in
// the package documentation). The layer's ten weights are packed per
// forward pass into one input kernel w [F, 3H], one recurrent kernel u
// [H, 3H] (gate blocks z, r, n) and one input bias [3H]; bhn stays apart
// because the reset gate scales it. Matrices are row-major with one row
// per (sample, step), sample-major, as in seqCell.
type gruCell[T float] struct {
	batch, steps, in, units int
	lens                    *seqLens

	w, u, bias []T // packed kernels and input bias
	bhn        []T // [H]: the last forward pass's recurrent bias of n

	a     []T // [B·T, 3H]: gates z, r, n after their activations
	hn    []T // [B·T, H]: h·Un + bhn
	hs    []T // [B·T, H]: state after step t
	hprev []T // [B·T, H]: state before step t (zero at t = 0)
	hu    []T // [B, 3H]: the current step's h·U

	dax []T // [B·T, 3H]: gradient of the input pre-activations
	dah []T // [B·T, 3H]: gradient of the recurrent products h·U + (0, 0, bhn)
	dh  []T // [B, H]: running state gradient
	dhz []T // [B, H]: the part of dh that skips the gates (dh ⊙ z)
	dhn []T // [B, H]: dah·Uᵀ of the current step

	ut  []T // [3H, H]
	wt  []T // [3H, F]
	hpt []T // [H, B·T]
	xt  []T // [F, B·T]
	gw  []T // [F, 3H]: packed gradient of w
	gu  []T // [H, 3H]: packed gradient of u
	gb  []T // [3H]
}

func newGRUCell[T float](batch, steps, in, units int, lens *seqLens) *gruCell[T] {
	bt, h, gh := batch*steps, units, 3*units
	return &gruCell[T]{
		batch: batch, steps: steps, in: in, units: units, lens: lens,
		w: make([]T, in*gh), u: make([]T, h*gh), bias: make([]T, gh),
		a: make([]T, bt*gh), hn: make([]T, bt*h), hs: make([]T, bt*h), hprev: make([]T, bt*h),
		hu:  make([]T, batch*gh),
		dax: make([]T, bt*gh), dah: make([]T, bt*gh),
		dh: make([]T, batch*h), dhz: make([]T, batch*h), dhn: make([]T, batch*h),
		ut: make([]T, gh*h), wt: make([]T, gh*in), hpt: make([]T, h*bt), xt: make([]T, in*bt),
		gw: make([]T, in*gh), gu: make([]T, h*gh), gb: make([]T, gh),
	}
}

// packCols writes the k-th of three column blocks of dst (rows × 3·cols)
// from src (rows × cols).
func packCols[T float](dst, src []T, rows, cols, k int) {
	for i := 0; i < rows; i++ {
		copy(dst[i*3*cols+k*cols:i*3*cols+(k+1)*cols], src[i*cols:(i+1)*cols])
	}
}

// unpackCols is packCols's inverse: src's k-th column block into dst.
func unpackCols[T float](dst, src []T, rows, cols, k int) {
	for i := 0; i < rows; i++ {
		copy(dst[i*cols:(i+1)*cols], src[i*3*cols+k*cols:i*3*cols+(k+1)*cols])
	}
}

// pack copies the weights (wz, wr, wn [F, H], uz, ur, un [H, H], bz, br,
// bn, bhn [H]) into the packed kernels.
func (c *gruCell[T]) pack(ws [10][]T) {
	f, h := c.in, c.units
	for k := 0; k < 3; k++ {
		packCols(c.w, ws[k], f, h, k)
		packCols(c.u, ws[3+k], h, h, k)
		copy(c.bias[k*h:(k+1)*h], ws[6+k])
	}
	c.bhn = ws[9]
}

// forward runs the GRU over x ([B, T·F]) with the weights ws (see pack)
// and writes every step's state [B, T·H] (zero at padded steps) into out
// when seq is set, else the state at each row's last valid step [B, H].
func (c *gruCell[T]) forward(out, x []T, ws [10][]T, seq bool) {
	c.pack(ws)
	parallelRows(c.batch, minParRows, func(b0, b1 int) { c.forwardRows(b0, b1, x) })

	gatherStates(out, c.hs, c.batch, c.steps, c.units, c.lens, seq)
}

// forwardRows runs the recurrence for batch rows [b0, b1).
func (c *gruCell[T]) forwardRows(b0, b1 int, x []T) {
	steps, f, h, gh := c.steps, c.in, c.units, 3*c.units
	nb := b1 - b0

	// Input projection of every step at once: a = X·W + b.
	rows := c.a[b0*steps*gh : b1*steps*gh]
	for r := 0; r < nb*steps; r++ {
		copy(rows[r*gh:(r+1)*gh], c.bias)
	}
	gemm(false, false, nb*steps, gh, f, x[b0*steps*f:], f, c.w, gh, 1, rows, gh)
	for b := b0; b < b1; b++ {
		clear(c.hprev[b*steps*h : (b*steps+1)*h])
	}
	hu := c.hu[b0*gh : b1*gh]
	for t := 0; t < steps; t++ {
		if t > 0 {
			gemm(false, false, nb, gh, h, c.hprev[(b0*steps+t)*h:], steps*h, c.u, gh, 0, hu, gh)
		} else {
			clear(hu)
		}
		for b := b0; b < b1; b++ {
			r := b*steps + t
			hr := c.hs[r*h : (r+1)*h]
			hp := c.hprev[r*h : (r+1)*h]
			if c.lens.valid(b, t) {
				c.step(r, c.hu[b*gh:(b+1)*gh])
			} else {
				copy(hr, hp)
			}
			if t+1 < steps {
				copy(c.hprev[(r+1)*h:(r+2)*h], hr)
			}
		}
	}
}

// step applies the gates of row r given its recurrent product hu = h·U.
func (c *gruCell[T]) step(r int, hu []T) {
	h := c.units
	a := c.a[r*3*h : (r+1)*3*h]
	az, ar, an := a[:h], a[h:2*h], a[2*h:]
	hn := c.hn[r*h : (r+1)*h]
	hp, hr := c.hprev[r*h:(r+1)*h], c.hs[r*h:(r+1)*h]
	for j := 0; j < 2*h; j++ {
		a[j] += hu[j]
	}
	for j := range hn {
		hn[j] = hu[2*h+j] + c.bhn[j]
	}
	if fast32[T]() {
		sigmoidVec(asF32(a[:2*h]), asF32(a[:2*h]))
		for j := range an {
			an[j] += ar[j] * hn[j]
		}
		tanhVec(asF32(an), asF32(an))
	} else {
		for j := 0; j < 2*h; j++ {
			a[j] = sigm(a[j])
		}
		for j := range an {
			an[j] = tanhT(an[j] + ar[j]*hn[j])
		}
	}
	for j := range hr {
		hr[j] = an[j] + az[j]*(hp[j]-an[j])
	}
}

// backward computes the gradients of the last forward pass from gOut
// (shaped like its output) into dx (when not nil) and the ten weight
// gradients gs (same order as the weights of forward), overwriting them.
func (c *gruCell[T]) backward(gOut, x []T, dx []T, gs [10][]T, seq bool) {
	bt, f, h, gh := c.batch*c.steps, c.in, c.units, 3*c.units
	transpose(c.ut, c.u, h, gh)
	parallelRows(c.batch, minParRows, func(b0, b1 int) { c.backwardRows(b0, b1, gOut, seq) })

	parallelRows(2, 1, func(k0, k1 int) {
		if k0 == 0 {
			transpose(c.xt, x[:bt*f], bt, f)
			sumRows(c.gb, c.dax, bt, gh, 0)
		}
		if k1 == 2 {
			transpose(c.hpt, c.hprev, bt, h)
			sumRows(gs[9], c.dah, bt, gh, 2*h)
		}
	})
	gemmPar(f, gh, bt, c.xt, bt, c.dax, gh, 0, c.gw, gh)
	gemmPar(h, gh, bt, c.hpt, bt, c.dah, gh, 0, c.gu, gh)
	for k := 0; k < 3; k++ {
		unpackCols(gs[k], c.gw, f, h, k)
		unpackCols(gs[3+k], c.gu, h, h, k)
		copy(gs[6+k], c.gb[k*h:(k+1)*h])
	}
	if dx != nil {
		transpose(c.wt, c.w, f, gh)
		gemmPar(bt, f, gh, c.dax, gh, c.wt, f, 0, dx, f)
	}
}

// backwardRows runs backpropagation through time for batch rows [b0, b1),
// filling c.dax and c.dah.
func (c *gruCell[T]) backwardRows(b0, b1 int, gOut []T, seq bool) {
	steps, h, gh := c.steps, c.units, 3*c.units
	nb := b1 - b0
	dh := c.dh[b0*h : b1*h]
	if seq {
		clear(dh)
	} else {
		copy(dh, gOut[b0*h:b1*h])
	}
	for t := steps - 1; t >= 0; t-- {
		for b := b0; b < b1; b++ {
			r := b*steps + t
			dax, dah := c.dax[r*gh:(r+1)*gh], c.dah[r*gh:(r+1)*gh]
			if !c.lens.valid(b, t) {
				clear(dax)
				clear(dah)
				continue
			}
			dhb := c.dh[b*h : (b+1)*h]
			if seq {
				for j, v := range gOut[r*h : (r+1)*h] {
					dhb[j] += v
				}
			}
			c.stepBack(r, dhb, c.dhz[b*h:(b+1)*h])
		}
		if t == 0 {
			break
		}
		dhn := c.dhn[b0*h : b1*h]
		gemm(false, false, nb, h, gh, c.dah[(b0*steps+t)*gh:], steps*gh, c.ut, h, 0, dhn, h)
		for b := b0; b < b1; b++ {
			if c.lens.valid(b, t) {
				d, z := c.dh[b*h:(b+1)*h], c.dhz[b*h:(b+1)*h]
				for j, v := range c.dhn[b*h : (b+1)*h] {
					d[j] = v + z[j]
				}
			}
		}
	}
}

// stepBack fills the pre-activation gradients of row r from the state
// gradient dh; dhz receives dh ⊙ z, the gradient reaching the previous
// state directly.
func (c *gruCell[T]) stepBack(r int, dh, dhz []T) {
	h := c.units
	a := c.a[r*3*h : (r+1)*3*h]
	dax, dah := c.dax[r*3*h:(r+1)*3*h], c.dah[r*3*h:(r+1)*3*h]
	hn, hp := c.hn[r*h:(r+1)*h], c.hprev[r*h:(r+1)*h]
	for j := 0; j < h; j++ {
		z, rg, n := a[j], a[h+j], a[2*h+j]
		d := dh[j]
		dan := d * (1 - z) * (1 - n*n)
		daz := d * (hp[j] - n) * z * (1 - z)
		dar := dan * hn[j] * rg * (1 - rg)
		dax[j], dax[h+j], dax[2*h+j] = daz, dar, dan
		dah[j], dah[h+j], dah[2*h+j] = daz, dar, dan*rg
		dhz[j] = d * z
	}
}
