; rings: privilege transitions (SDM Vol. 3A 5.8 and 6.12.1).
; - IRET to ring 3 pops CS, EIP, EFLAGS, ESP, SS (Vol. 2 IRET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL").
; - INT n through a DPL-3 interrupt gate switches to SS0:ESP0 from the TSS and pushes SS, ESP,
;   EFLAGS, CS, EIP (6.12.1, Figure 6-4).
; - INT n through a DPL-0 gate from ring 3 is #GP(vector * 8 + 2) (6.12.1.1, error code 6.13).
; - CALL through a DPL-3 call gate to ring 0 pushes SS, ESP, CS, EIP on the new stack (5.8.5,
;   Figure 5-13); RETF returns to ring 3.
%include "common.inc"

test_main:
  IDT_SET 0x30, int30_handler, 0xEE    ; DPL 3 interrupt gate
  IDT_SET 0x31, finish_handler, 0xEE
  IDT_SET 0x32, never_handler, 0x8E    ; DPL 0: ring 3 may not use it
  IDT_SET 13, gp_handler, 0x8E
  GDT_GATE SEL_GATE, SEL_CODE0, gate_target, 0xEC
  mov ax, SEL_TSS0
  ltr ax
  str bx
  CHECK bx, SEL_TSS0, 1
  ; LTR marked TSS0 busy (type 9 -> 0xB, SDM Vol. 2 LTR)
  mov al, [GDT_RAM + SEL_TSS0 + 5]
  CHECK al, 0x8B, 2

  ; IRET to ring 3
  push dword SEL_DATA3 | 3
  push dword STACK3
  pushfd
  or dword [esp], 0x3000                 ; IOPL 3: ring 3 may report failures itself
  push dword SEL_CODE3 | 3
  push dword ring3
  iretd

ring3:
  ; IRET to an outer ring nulled DS/ES/FS/GS, which held DPL-0 selectors (Vol. 2 IRET)
  mov ax, ds
  CHECK ax, 0, 13
  mov ax, SEL_DATA3 | 3
  mov ds, ax
  mov es, ax
  mov ax, cs
  CHECK ax, SEL_CODE3 | 3, 3
  mov ax, ss
  CHECK ax, SEL_DATA3 | 3, 4
  CHECK esp, STACK3, 5
  mov ebx, 0x1234
  int 0x30                               ; to ring 0 and back
  CHECK ebx, 0x4321, 6
  CHECK esp, STACK3, 7
  mov ax, cs
  CHECK ax, SEL_CODE3 | 3, 8

  call SEL_GATE | 3 : 0                  ; through the call gate (offset ignored)
  CHECK ebx, 0x5555, 9
  CHECK esp, STACK3, 10
  mov ax, cs
  CHECK ax, SEL_CODE3 | 3, 11

  int 0x32                               ; DPL 0 gate: #GP(0x32 * 8 + 2); handler skips it
  mov ax, cs
  CHECK ax, SEL_CODE3 | 3, 12
  int 0x31


int30_handler:
  mov ax, cs
  CHECK ax, SEL_CODE0, 0x20
  CHECK esp, STACK0 - 20, 0x21           ; SS, ESP, EFLAGS, CS, EIP from TSS0's SS0:ESP0
  CHECK dword [esp + 4], SEL_CODE3 | 3, 0x22
  CHECK dword [esp + 12], STACK3, 0x23
  CHECK dword [esp + 16], SEL_DATA3 | 3, 0x24
  mov ax, ss
  CHECK ax, SEL_DATA0, 0x25
  mov ebx, 0x4321
  iretd

gate_target:
  mov ax, cs
  CHECK ax, SEL_CODE0, 0x28
  CHECK esp, STACK0 - 16, 0x29           ; SS, ESP, CS, EIP (no parameters)
  CHECK dword [esp + 4], SEL_CODE3 | 3, 0x2A
  CHECK dword [esp + 8], STACK3, 0x2B
  CHECK dword [esp + 12], SEL_DATA3 | 3, 0x2C
  mov ebx, 0x5555
  retf

gp_handler:
  CHECK dword [esp], 0x32 * 8 + 2, 0x40  ; IDT entry, EXT = 0, IDT bit set
  add esp, 4
  add dword [esp], 2                     ; skip "int 0x32" (a fault: EIP points at it)
  inc dword [fault_count]
  iretd

never_handler:
  FAIL 0x41

finish_handler:
  CHECK dword [fault_count], 1, 0x30
  mov ax, cs
  CHECK ax, SEL_CODE0, 0x31
  PASS

ROM_END
