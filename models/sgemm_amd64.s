#include "textflag.h"

// func sgemm4x16(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
//
// C[0:4, 0:16] += A[0:4, 0:k] · B[0:k, 0:16], row-major with leading
// dimensions lda, ldb, ldc (in elements). Needs AVX2 and FMA.
TEXT ·sgemm4x16(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R9
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R10
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	LEAQ (SI)(R8*1), R11
	LEAQ (R11)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JE    store

loop:
	VMOVUPS      (DI), Y8
	VMOVUPS      32(DI), Y9
	VBROADCASTSS (SI), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (R11), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (R12), Y12
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VBROADCASTSS (R13), Y13
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         $4, SI
	ADDQ         $4, R11
	ADDQ         $4, R12
	ADDQ         $4, R13
	ADDQ         R9, DI
	DECQ         CX
	JNZ          loop

store:
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS  32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	ADDQ    R10, DX
	VADDPS  (DX), Y2, Y2
	VMOVUPS Y2, (DX)
	VADDPS  32(DX), Y3, Y3
	VMOVUPS Y3, 32(DX)
	ADDQ    R10, DX
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ    R10, DX
	VADDPS  (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS  32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func act8(dst, src *float32, n8 int, tbl *float32)
//
// dst[i] = a·σ(k·src[i]) + b for 8·n8 values, with e^x from the same
// range reduction and degree-6 polynomial as exp32 (in float32). tbl
// holds 13 vectors of 8 values: −k·log2(e), −126, 126, ln 2, 1/720,
// 1/120, 1/24, 1/6, 1/2, 1, a, b, and the int32 exponent bias 127.
// Needs AVX2 and FMA.
TEXT ·act8(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n8+16(FP), CX
	MOVQ tbl+24(FP), R8
	TESTQ CX, CX
	JE    done

loop:
	VMOVUPS     (SI), Y0
	VMULPS      (R8), Y0, Y0
	VMAXPS      32(R8), Y0, Y0
	VMINPS      64(R8), Y0, Y0
	VROUNDPS    $0, Y0, Y1
	VSUBPS      Y1, Y0, Y2
	VMULPS      96(R8), Y2, Y2
	VMOVUPS     128(R8), Y3
	VFMADD213PS 160(R8), Y2, Y3
	VFMADD213PS 192(R8), Y2, Y3
	VFMADD213PS 224(R8), Y2, Y3
	VFMADD213PS 256(R8), Y2, Y3
	VFMADD213PS 288(R8), Y2, Y3
	VFMADD213PS 288(R8), Y2, Y3
	VCVTPS2DQ   Y1, Y4
	VPADDD      384(R8), Y4, Y4
	VPSLLD      $23, Y4, Y4
	VMULPS      Y4, Y3, Y3
	VADDPS      288(R8), Y3, Y3
	VMOVUPS     288(R8), Y0
	VDIVPS      Y3, Y0, Y0
	VMOVUPS     320(R8), Y1
	VFMADD213PS 352(R8), Y1, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         loop

done:
	VZEROUPPER
	RET
