; system: the system-instruction family at ring 0 in protected mode, expected values from the SDM
; Vol. 2 instruction pages (and Vol. 3A where noted):
; CPUID (vendor, signature, feature bits the emulator implements), SGDT/SIDT, SMSW/LMSW (LMSW
; cannot clear PE), CLTS, #NM for x87 escapes with CR0.TS (Vol. 3A Table 2-2) and #UD without,
; WAIT with MP+TS, UD2, LAR/LSL/VERR/VERW, ARPL, MOV DRn (DR6/DR7 fixed bits, Vol. 3A 17.2),
; RDMSR/WRMSR (#GP for unknown MSRs), RDTSC, MOV CR4 reserved bits, LLDT/SLDT and an LDT
; selector, LTR on a busy TSS, SYSEXIT to ring 3 and SYSENTER back.
%include "common.inc"

expect_vec equ VARS + 0x20

; EXPECT vector, error code, label: the instruction at label must fault that way; the handler
; resumes at label_end.
%macro EXPECT 3
  mov dword [expect_vec], %1
  mov dword [expect_err], %2
  mov dword [expect_eip], %3
  mov dword [resume_eip], %3 %+ _end
%endmacro

%macro ZF_SET 1
  jz %%ok
  FAIL %1
%%ok:
%endmacro
%macro ZF_CLEAR 1
  jnz %%ok
  FAIL %1
%%ok:
%endmacro

test_main:
  IDT_SET 6, h_ud, 0x8E
  IDT_SET 7, h_nm, 0x8E
  IDT_SET 13, h_gp, 0x8E
  mov ax, SEL_TSS0
  ltr ax

  ; ---- CPUID
  xor eax, eax
  cpuid
  CHECK eax, 2, 1
  CHECK ebx, 0x756E6547, 2          ; "Genu"
  CHECK edx, 0x49656E69, 3          ; "ineI"
  CHECK ecx, 0x6C65746E, 4          ; "ntel"
  mov eax, 1
  cpuid
  mov ebx, eax
  shr ebx, 8
  and ebx, 0xF
  CHECK ebx, 6, 5                   ; family 6
  test edx, 1
  ZF_CLEAR 6                        ; FPU = 1: the x87 is on chip (issue 4)
  mov eax, edx
  and eax, (1 << 1) | (1 << 4) | (1 << 3) | (1 << 5) | (1 << 13)
  CHECK eax, (1 << 1) | (1 << 4) | (1 << 3) | (1 << 5) | (1 << 13), 7   ; VME, TSC, PSE, MSR, PGE

  ; ---- SGDT / SIDT
  sgdt [VARS + 0x40]
  CHECK word [VARS + 0x40], gdt_end - gdt_rom - 1, 8
  CHECK dword [VARS + 0x42], GDT_RAM, 9
  sidt [VARS + 0x48]
  CHECK word [VARS + 0x48], 0x7FF, 10
  CHECK dword [VARS + 0x4A], IDT_RAM, 11

  ; ---- SMSW / LMSW / CLTS
  smsw eax
  and eax, 0x1F
  CHECK eax, 0x11, 12               ; PE | ET
  xor eax, eax
  lmsw ax                           ; tries to clear PE: ignored
  smsw eax
  test eax, 1
  ZF_CLEAR 13
  mov eax, cr0
  or eax, 8                         ; TS
  mov cr0, eax
  clts
  mov eax, cr0
  test eax, 8
  ZF_SET 14

  ; ---- x87 escapes and WAIT
  mov eax, cr0
  or eax, 8 | 2                     ; TS | MP
  mov cr0, eax
  EXPECT 7, 0, x1
x1:
  fld1                              ; D9 E8 with TS = 1: #NM
x1_end:
  EXPECT 7, 0, x2
x2:
  fwait                             ; MP & TS: #NM
x2_end:
  clts
  fwait                             ; MP & !TS: no fault
  mov eax, cr0
  or eax, 4                         ; EM: the OS emulates the x87
  mov cr0, eax
  EXPECT 7, 0, x3
x3:
  fadd dword [VARS]                 ; EM = 1: #NM (SDM Vol. 3A Table 2-2)
x3_end:
  mov eax, cr0
  and eax, ~4
  mov cr0, eax
  EXPECT 6, 0, x4
x4:
  ud2
x4_end:
  CHECK dword [fault_count], 4, 15

  ; ---- LAR / LSL / VERR / VERW
  mov bx, SEL_SMALL
  lsl eax, bx
  ZF_SET 16
  CHECK eax, 0xFF, 17
  lar eax, bx
  ZF_SET 18
  CHECK eax, 0x00409200, 19         ; dword 2 of the descriptor & 0x00F0FF00
  mov bx, SEL_CODE0
  lsl eax, bx
  CHECK eax, 0xFFFFFFFF, 20         ; G = 1: limit scaled to bytes
  lar eax, [sel_tss0]
  ZF_SET 21
  CHECK eax, 0x00008B00, 22         ; busy 32-bit TSS after LTR
  xor ebx, ebx
  mov eax, 0x1234
  lar eax, bx                       ; null selector: ZF = 0, destination unchanged
  ZF_CLEAR 23
  CHECK eax, 0x1234, 24
  mov bx, 0x7F8
  lsl eax, bx                       ; beyond the GDT limit
  ZF_CLEAR 25
  mov bx, SEL_CODE0
  verr bx
  ZF_SET 26
  verw bx
  ZF_CLEAR 27                       ; code is never writable
  mov bx, SEL_DATA0
  verw bx
  ZF_SET 28
  mov bx, SEL_TSS0
  verr bx
  ZF_CLEAR 29                       ; system descriptor

  ; ---- ARPL
  mov ax, SEL_DATA0
  mov bx, SEL_DATA3 | 3
  arpl ax, bx
  ZF_SET 30
  CHECK ax, SEL_DATA0 | 3, 31
  arpl ax, bx
  ZF_CLEAR 32

  ; ---- debug registers
  mov eax, 0x12345678
  mov dr0, eax
  mov ebx, dr0
  CHECK ebx, 0x12345678, 33
  xor eax, eax
  mov dr7, eax
  mov eax, dr7
  CHECK eax, 0x400, 34              ; bit 10 reads as 1
  mov dr6, eax
  mov eax, dr6
  and eax, 0xFFFF0FF0
  CHECK eax, 0xFFFF0FF0, 35

  ; ---- MSRs and the TSC
  mov ecx, 0x174                    ; SYSENTER_CS
  mov eax, SEL_CODE0
  xor edx, edx
  wrmsr
  xor eax, eax
  rdmsr
  CHECK eax, SEL_CODE0, 36
  mov ecx, 0x12345
  EXPECT 13, 0, m1
m1:
  rdmsr
m1_end:
  CHECK dword [fault_count], 5, 37
  rdtsc
  mov esi, eax
  mov edi, edx
  rdtsc
  sub eax, esi
  sbb edx, edi
  test edx, edx                     ; the TSC does not run backwards
  ZF_SET 38
  mov ecx, 0x10
  mov eax, 0xFFFFFF00
  mov edx, 5
  wrmsr                             ; P6: only the low 32 bits are written, EDX is dropped
  rdtsc
  CHECK edx, 0, 39
  cmp eax, 0xFFFFFF00
  jae .tsc_ok
  FAIL 51
.tsc_ok:

  ; ---- MOV CR4 with an unimplemented bit (PAE) is #GP(0)
  mov eax, 0x20
  EXPECT 13, 0, c1
c1:
  mov cr4, eax
c1_end:
  CHECK dword [fault_count], 6, 40

  ; ---- LLDT / SLDT: an LDT at 0x6000 with one data descriptor (base 0x50000, limit 0xFF)
  mov dword [0x6008], 0x000000FF
  mov dword [0x600C], 0x00409205
  mov dword [GDT_RAM + SEL_TGATE], 0x6000000F     ; LDT descriptor: base 0x6000, limit 0xF
  mov dword [GDT_RAM + SEL_TGATE + 4], 0x00008200
  mov ax, SEL_TGATE
  lldt ax
  sldt bx
  CHECK bx, SEL_TGATE, 41
  mov ax, 0x0C                      ; LDT index 1
  mov es, ax
  mov dword [es:0x10], 0xFEEDF00D
  CHECK dword [0x50010], 0xFEEDF00D, 42
  mov bx, 0x0C
  lsl eax, bx
  CHECK eax, 0xFF, 43
  mov ax, SEL_DATA0
  mov es, ax
  EXPECT 13, SEL_DATA0, l1
l1:
  lldt ax                           ; not an LDT descriptor: #GP(selector)
l1_end:
  mov ax, SEL_TSS0
  EXPECT 13, SEL_TSS0, l2
l2:
  ltr ax                            ; busy TSS: #GP(selector)
l2_end:
  CHECK dword [fault_count], 8, 44

  ; ---- LGDT/SGDT with a 16-bit operand size: 24-bit base loaded, sixth byte stored as 0
  mov word [VARS + 0x50], 0x1234
  mov dword [VARS + 0x52], 0xAB123456
  o16 lgdt [VARS + 0x50]
  sgdt [VARS + 0x58]
  CHECK dword [VARS + 0x5A], 0x00123456, 52
  mov dword [VARS + 0x60], 0xFFFFFFFF
  mov word [VARS + 0x64], 0xFFFF
  o16 sgdt [VARS + 0x60]
  CHECK byte [VARS + 0x65], 0, 53
  lgdt [gdt_ptr_ram]

  ; ---- MOV CR0: PG without PE and NW without CD are #GP(0)
  mov eax, cr0
  mov ebx, eax
  and eax, ~1
  or eax, 0x80000000
  EXPECT 13, 0, c2
c2:
  mov cr0, eax
c2_end:
  mov eax, ebx
  and eax, ~0x40000000
  or eax, 0x20000000
  EXPECT 13, 0, c3
c3:
  mov cr0, eax
c3_end:
  CHECK dword [fault_count], 10, 54

  ; ---- DR4 aliases DR6 unless CR4.DE; DR7.GD makes the next DR access #DB (Vol. 3A 17.2)
  mov eax, dr6
  mov ebx, dr4
  CHECK eax, ebx, 55
  mov eax, cr4
  or eax, 8                         ; DE
  mov cr4, eax
  EXPECT 6, 0, d1
d1:
  mov eax, dr4
d1_end:
  mov eax, cr4
  and eax, ~8
  mov cr4, eax
  IDT_SET 1, h_db, 0x8E
  mov eax, 0x2400                   ; GD
  mov dr7, eax
  EXPECT 1, 0, d2
d2:
  mov eax, dr0
d2_end:
  mov eax, dr6
  test eax, 0x2000                  ; BD
  ZF_CLEAR 56
  mov eax, dr7
  test eax, 0x2000                  ; GD cleared on the #DB
  ZF_SET 57
  CHECK dword [fault_count], 12, 58

  ; ---- CR4.TSD: RDTSC at ring 3 is #GP(0) (checked in ring 3 below)
  mov eax, cr4
  or eax, 4
  mov cr4, eax
  EXPECT 13, 0, r1

  ; ---- SYSEXIT to ring 3, SYSENTER back (flat segments from SYSENTER_CS = 0x08)
  mov ecx, 0x175                    ; SYSENTER_ESP
  mov eax, STACK0 - 0x100
  xor edx, edx
  wrmsr
  mov ecx, 0x176                    ; SYSENTER_EIP
  mov eax, sysenter_target
  wrmsr
  mov ecx, STACK3
  mov edx, ring3
  sysexit

ring3:
  mov ax, cs
  CHECK ax, SEL_CODE3 | 3, 45       ; SYSENTER_CS + 16, RPL 3
  mov ax, ss
  CHECK ax, SEL_DATA3 | 3, 46       ; SYSENTER_CS + 24, RPL 3
  CHECK esp, STACK3, 47
r1:
  rdtsc
r1_end:
  sysenter

sysenter_target:
  mov ax, cs
  CHECK ax, SEL_CODE0, 48
  mov ax, ss
  CHECK ax, SEL_DATA0, 49
  CHECK esp, STACK0 - 0x100, 50
  mov ax, SEL_DATA0
  mov ds, ax                        ; the IRET back to ring 3 nulled DS
  CHECK dword [fault_count], 13, 59
  PASS

sel_tss0: dw SEL_TSS0

; ---- fault handlers: check vector, error code and faulting EIP, resume after the instruction
h_ud:
  push dword 0
  push dword 6
  jmp h_common
h_nm:
  push dword 0
  push dword 7
  jmp h_common
h_db:
  push dword 0
  push dword 1
  jmp h_common
h_gp:
  push dword 13
h_common:
  mov eax, [esp]
  cmp eax, [expect_vec]
  je .vec_ok
  or al, 0x80                       ; 0x80 | vector: an unexpected exception
  out 0xF4, al
  hlt
.vec_ok:
  mov eax, [esp + 4]
  cmp eax, [expect_err]
  je .err_ok
  FAIL 0x70
.err_ok:
  mov eax, [esp + 8]
  cmp eax, [expect_eip]
  je .eip_ok
  FAIL 0x71
.eip_ok:
  add esp, 8
  mov eax, [resume_eip]
  mov [esp], eax
  inc dword [fault_count]
  iretd

ROM_END
