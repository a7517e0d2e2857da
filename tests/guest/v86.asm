; v86: virtual-8086 mode with a ring-0 monitor (SDM Vol. 3A chapter 20).
; - IRETD from ring 0 with EFLAGS.VM = 1 enters v86 mode and pops ES, DS, FS, GS too (Vol. 2 IRET,
;   "RETURN-TO-VIRTUAL-8086-MODE").
; - With IOPL < 3, INT n and IRET in v86 mode raise #GP(0) (20.2.7, Table 20-2, and 20.1.4); the
;   exception enters the ring-0 handler on SS0:ESP0 with GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP
;   and the error code pushed, and DS/ES/FS/GS loaded with null (6.12.1, Figure 6-5).
; - The monitor emulates INT n as real mode would (push FLAGS, CS, IP; vector through the IVT at
;   0; clear IF/TF) and IRET (pop IP, CS, FLAGS, IOPL kept), the classic "reflection" (20.3.1.1).
; Phase 2 turns on CR4.VME with a TSS interrupt-redirection bitmap (20.3.3, Table 20-2 method 6):
; INT 0x21 then goes straight through the v86 IVT and the handler's 16-bit IRET runs without the
; monitor, while INT 0x20/0x22 (bits set in the bitmap) still fault to it (method 5).
; Protocol from v86 code: INT 0x20 = phase done (AX must hold 0x5678); INT 0x22 = fail with
; code AL. DX holds the return IP the INT 0x21 handler must find on its stack.
%include "common.inc"

V86_SS equ 0x6000
V86_SP equ 0xFFF0

REDIR_MAP equ 0x68                ; TSS offset of the redirection bitmap (I/O map base - 32)

test_main:
  IDT_SET 13, monitor, 0x8E
  ; TSS0: I/O map base 0x88 so the 32-byte redirection bitmap fits at 0x68; limit 0x88
  mov word [TSS0 + 0x66], REDIR_MAP + 32
  mov byte [GDT_RAM + SEL_TSS0], REDIR_MAP + 32
  mov ax, SEL_TSS0
  ltr ax
  ; real-mode IVT entry 0x21 -> F000:v86_int21
  mov word [0x21 * 4], R(v86_int21)
  mov word [0x21 * 4 + 2], 0xF000
  ; enter v86 mode
  push dword 0                      ; GS
  push dword 0                      ; FS
  push dword 0                      ; DS
  push dword 0                      ; ES
  push dword V86_SS
  push dword V86_SP
  push dword 0x00020002             ; VM = 1, IOPL = 0, IF = 0
  push dword 0xF000
  push dword R(v86_code)
  iretd

; ---- ring-0 monitor: #GP from v86 mode ---------------------------------------------------------
; Frame after PUSHAD: +0..+31 registers (EAX at +28), +32 error code, +36 EIP, +40 CS,
; +44 EFLAGS, +48 ESP, +52 SS, +56 ES, +60 DS, +64 FS, +68 GS.
monitor:
  pushad
  mov bx, ds                        ; must be the null selector on entry from v86 mode
  mov ax, SEL_DATA0
  mov ds, ax
  mov es, ax
  CHECK bx, 0, 0x50
  CHECK dword [esp + 32], 0, 0x51   ; #GP(0)
  mov eax, [esp + 44]
  test eax, 0x20000
  jnz .from_v86
  FAIL 0x52
.from_v86:
  CHECK dword [esp + 60], 0, 0x53   ; v86 DS saved in the frame
  movzx esi, word [esp + 40]
  shl esi, 4
  add esi, [esp + 36]               ; linear CS:IP of the faulting instruction
  mov al, [esi]
  cmp al, 0xCD
  je .int_n
  cmp al, 0xCF
  je .iret
  FAIL 0x54

.int_n:
  movzx ecx, byte [esi + 1]
  cmp ecx, 0x20
  je .done
  cmp ecx, 0x22
  jne .reflect
  mov al, [esp + 28]                ; v86 code reported a failure in AL
  out 0xF4, al
  hlt
.done:
  CHECK word [esp + 28], 0x5678, 0x55
  CHECK dword [fault_count], 2, 0x56   ; phase 2 adds no monitor entries: redirected
  mov eax, [esp + 44]
  and eax, 0x23000
  CHECK eax, 0x20000, 0x57          ; still VM = 1, IOPL = 0 after the emulated IRET
  cmp dword [step], 0
  je .phase2
  PASS
.phase2:
  ; enable VME; redirect every vector except 0x20 and 0x22, restart v86 code at v86_phase2
  inc dword [step]
  mov edi, TSS0 + REDIR_MAP
  mov ecx, 8
.zero_map:
  mov dword [edi], 0
  add edi, 4
  dec ecx
  jnz .zero_map
  mov byte [TSS0 + REDIR_MAP + 4], 0x05   ; bits for 0x20 and 0x22
  mov eax, cr4
  or eax, 1                         ; CR4.VME
  mov cr4, eax
  mov dword [esp + 36], R(v86_phase2)
  mov dword [esp + 48], V86_SP
  popad
  add esp, 4
  iretd
.reflect:
  inc dword [fault_count]
  movzx edi, word [esp + 52]
  shl edi, 4
  movzx edx, word [esp + 48]
  sub dx, 6
  mov [esp + 48], dx
  add edi, edx                      ; linear SS:SP after pushing three words
  mov eax, [esp + 36]
  add eax, 2                        ; return past INT imm8
  mov [edi], ax
  mov ax, [esp + 40]
  mov [edi + 2], ax
  mov ax, [esp + 44]
  mov [edi + 4], ax
  movzx eax, word [ecx * 4]         ; IVT: offset, segment
  mov [esp + 36], eax
  movzx eax, word [ecx * 4 + 2]
  mov [esp + 40], eax
  and dword [esp + 44], ~0x300      ; IF, TF cleared as a real-mode INT does
  popad
  add esp, 4
  iretd

.iret:
  inc dword [fault_count]
  movzx edi, word [esp + 52]
  shl edi, 4
  movzx edx, word [esp + 48]
  add edi, edx
  movzx eax, word [edi]
  mov [esp + 36], eax
  movzx eax, word [edi + 2]
  mov [esp + 40], eax
  movzx eax, word [edi + 4]
  and eax, 0xCFFF                   ; the guest cannot change IOPL
  mov ebx, [esp + 44]
  and ebx, 0xFFFF3000               ; keep VM and IOPL
  or eax, ebx
  or eax, 2
  mov [esp + 44], eax
  add dx, 6
  mov [esp + 48], dx
  popad
  add esp, 4
  iretd

; ---- v86 code (runs at F000:xxxx) ---------------------------------------------------------------
bits 16
v86_code:
  mov ax, 0x1234
  xor bx, bx
  mov dx, R(.ret21)
  int 0x21
.ret21:
  cmp ax, 0x5678
  jne .f1
  cmp bx, 0x9ABC
  jne .f2
  cmp sp, V86_SP
  jne .f3
  int 0x20
.f1:
  mov al, 1
  int 0x22
.f2:
  mov al, 2
  int 0x22
.f3:
  mov al, 3
  int 0x22

v86_phase2:
  mov ax, 0x1234
  xor bx, bx
  mov dx, R(.ret21)
  int 0x21                          ; redirected by the CPU: no #GP
.ret21:
  cmp ax, 0x5678
  jne .f6
  cmp bx, 0x9ABC
  jne .f7
  cmp sp, V86_SP
  jne .f8
  int 0x20
.f6:
  mov al, 6
  int 0x22
.f7:
  mov al, 7
  int 0x22
.f8:
  mov al, 8
  int 0x22

v86_int21:
  mov bp, sp
  cmp word [bp + 2], 0xF000         ; CS pushed by the monitor (phase 1) or the CPU (phase 2)
  jne .bad
  cmp [bp], dx                      ; and the return IP
  jne .bad
  add ax, 0x4444
  mov bx, 0x9ABC
  iret
.bad:
  mov al, 5
  int 0x22

bits 32
ROM_END
