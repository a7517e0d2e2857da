; jit_hazards: the situations a block-translating engine gets wrong, as architectural checks that
; hold on any correct IA-32 CPU (so the ROM runs unchanged under the interpreter, the JIT and the
; lockstep comparison). Every case runs many times so its blocks are translated and linked
; before the hazard strikes.
;   1. a store into the next instruction of the running block (SDM Vol. 3A 11.6: a write to code
;      about to run takes effect for that code);
;   2. a store into the immediate of the block a direct jump is linked to;
;   3. a linear page of code whose mapping changes (PTE rewrite + MOV CR3, then + INVLPG) while
;      its two blocks are linked by a jump inside the page;
;   4. a #PF in the middle of a block: the registers and EFLAGS the handler sees are those after
;      the instructions before the faulting one and before it (SDM 6.5: faults are restartable),
;      and the instruction restarts after the handler maps the page.
%include "common.inc"

CODE_RAM equ 0x20000               ; cases 1 and 2 run from RAM copies
PD   equ 0x10000
PT0  equ 0x11000
PT1  equ 0x12000                   ; maps 0x400000-0x7FFFFF
CODE_P1 equ 0x30000                ; two physical pages holding different code for one linear page
CODE_P2 equ 0x31000
CODE_LIN equ 0x400000
NP_PAGE equ 0x302000
LOOPS equ 40

%macro COPY 3                      ; COPY destination, source start, source end
  mov esi, %2
  mov edi, %1
  mov ecx, %3 - %2
  rep movsb
%endmacro

test_main:
  IDT_SET 14, pf_handler, 0x8E

  ; ---- 1. store into the running block -----------------------------------------------------
  COPY CODE_RAM, smc1, smc1_end
  mov ebx, 1
.c1:
  call CODE_RAM
  CHECK al, bl, 0x11
  inc ebx
  cmp ebx, LOOPS
  jbe .c1

  ; ---- 2. store into a linked successor --------------------------------------------------------
  COPY CODE_RAM + 0x100, smc2, smc2_end
  mov ebx, 1
.c2:
  call CODE_RAM + 0x100
  CHECK al, bl, 0x21
  inc ebx
  cmp ebx, LOOPS
  jbe .c2

  ; ---- 3. mapping changes under linked code ----------------------------------------------------
  COPY CODE_P1, page1, page1_end
  COPY CODE_P2, page2, page2_end
  mov edi, PT0                       ; identity map 0-4 MiB
  xor eax, eax
.fill_pt:
  lea edx, [eax + 3]
  mov [edi], edx
  add edi, 4
  add eax, 0x1000
  cmp eax, 0x400000
  jb .fill_pt
  mov dword [PT0 + (NP_PAGE >> 12) * 4], 0
  mov edi, PT1
  mov ecx, 1024
  xor eax, eax
  rep stosd
  mov edi, PD
  mov ecx, 1024
  rep stosd
  mov dword [PD + 0], PT0 | 3
  mov dword [PD + 4], PT1 | 3
  mov dword [PT1], CODE_P1 | 3
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov dword [expect_err], 1 + 10
  call run_lin
  CHECK eax, 0, 0x31
  mov dword [PT1], CODE_P2 | 3       ; same linear page, other code
  mov eax, PD
  mov cr3, eax                       ; MOV CR3 drops the old translation
  mov dword [expect_err], 2 + 200
  call run_lin
  CHECK eax, 0, 0x32
  mov dword [PT1], CODE_P1 | 3
  invlpg [CODE_LIN]                  ; INVLPG drops it too
  mov dword [expect_err], 1 + 10
  call run_lin
  CHECK eax, 0, 0x33

  ; ---- 4. a fault in the middle of a block ------------------------------------------------------
  mov dword [step], 0
.c4:
  mov dword [PT0 + (NP_PAGE >> 12) * 4], 0
  invlpg [NP_PAGE]
  mov dword [fault_count], 0
  mov ebx, 0x1234
  mov edx, 0xFFFFFFFF
  mov ecx, 5
  add edx, ecx                       ; EDX = 4; CF=1 AF=1 (0xF + 5 carries out of bit 3), ZF=SF=OF=PF=0
.fault_here:
  mov eax, [NP_PAGE + 0x40]          ; #PF: the handler checks the state, maps the page, returns
  mov ebx, 7
  CHECK dword [fault_count], 1, 0x41
  CHECK eax, 0xCAFE0000, 0x42
  CHECK ebx, 7, 0x43
  inc dword [step]
  cmp dword [step], LOOPS
  jb .c4
  PASS

; Case 3: calls the code at CODE_LIN from one call site, the same for every mapping (a link made
; from this site under one mapping must not survive a change). EAX = 0 when every call returned
; [expect_err].
run_lin:
  mov ecx, LOOPS
.again:
  call CODE_LIN
  cmp eax, [expect_err]
  jne .bad
  dec ecx
  jnz .again
  xor eax, eax
  ret
.bad:
  mov eax, 1
  ret

; #PF for case 4: the saved state must be exactly "after ADD, before the load".
pf_handler:
  cmp dword [esp + 4], test_main.fault_here    ; saved EIP = the faulting instruction
  je .eip_ok
  FAIL 0x44
.eip_ok:
  CHECK ebx, 0x1234, 0x45            ; the MOV EBX, 7 after the fault has not run
  CHECK edx, 4, 0x46
  CHECK ecx, 5, 0x47
  mov eax, [esp + 12]                ; saved EFLAGS
  and eax, 0x8D5
  CHECK eax, 0x11, 0x48
  mov eax, cr2
  CHECK eax, NP_PAGE + 0x40, 0x49
  mov dword [PT0 + (NP_PAGE >> 12) * 4], NP_PAGE | 3
  invlpg [NP_PAGE]
  mov dword [NP_PAGE + 0x40], 0xCAFE0000
  inc dword [fault_count]
  add esp, 4                         ; error code
  iret

; Case 1 (copied to CODE_RAM): the first instruction writes BL into the second's immediate.
smc1:
  mov [CODE_RAM + (smc1_imm - smc1)], bl
  mov al, 0
smc1_imm equ $ - 1
  ret
smc1_end:

; Case 2 (copied to CODE_RAM + 0x100): A bumps B's immediate, then jumps to B (a linked exit).
smc2:
  inc byte [CODE_RAM + 0x100 + (smc2_imm - smc2)]
  jmp smc2_b
smc2_b:
  mov al, 0
smc2_imm equ $ - 1
  ret
smc2_end:

; Case 3: two versions of one linear page; each has two blocks joined by a jump in the page.
page1:
  mov eax, 1
  jmp .second
.second:
  add eax, 10
  ret
page1_end:
page2:
  mov eax, 2
  jmp .second
  nop
.second:
  add eax, 200
  ret
page2_end:

ROM_END
