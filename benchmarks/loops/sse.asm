; SSE/SSE2 arithmetic loop: 6 packed floating-point instructions (4 binary32 or 2 binary64 lanes
; each, all on the soft-float) + 2 loop instructions per iteration. CR4.OSFXSR is set first, as
; an OS would (MOV CR4 works in real mode at CPL 0). The values stay bounded: (x + 1) * 1 - 1 = x.
; SSE instructions per second = MIPS * 6 / 8.
%include "rom.inc"
ROM_BEGIN
    mov eax, cr4
    or eax, 0x600               ; OSFXSR | OSXMMEXCPT
    mov cr4, eax
    mov dword [0x600], 0x3F800000   ; 1.0f
    mov dword [0x604], 0x40490FDB   ; pi as binary32
    movss xmm1, [0x600]
    shufps xmm1, xmm1, 0        ; xmm1 = 1.0 in every lane
    movss xmm0, [0x604]
    shufps xmm0, xmm0, 0        ; xmm0 = pi in every lane
    cvtps2pd xmm2, xmm0         ; two binary64 lanes for the SSE2 half
    cvtps2pd xmm3, xmm1
.loop:
    addps xmm0, xmm1
    mulps xmm0, xmm1
    subps xmm0, xmm1
    addpd xmm2, xmm3
    mulpd xmm2, xmm3
    subpd xmm2, xmm3
    dec ebp
    jnz .loop
ROM_END
