; task_switch: hardware task switching (SDM Vol. 3A chapter 7).
; - CALL to a TSS descriptor saves the current state in the old TSS, loads the new one, writes
;   the back link, sets NT and keeps the old task busy (7.3, 7.4, Table 7-2).
; - IRET with NT = 1 returns to the task in the back link and clears the nested task's busy bit.
; - JMP through a task gate clears the old task's busy bit and does not set NT or the link.
; 32-bit TSS layout: Figure 7-2 (link 0, EIP 0x20, EFLAGS 0x24, EAX 0x28 ... EDI 0x44,
; ES 0x48, CS 0x4C, SS 0x50, DS 0x54, FS 0x58, GS 0x5C, LDT 0x60).
%include "common.inc"

BUSY_TSS  equ 0x8B                 ; access byte: present, type 0xB
AVAIL_TSS equ 0x89

test_main:
  mov ax, SEL_TSS0
  ltr ax
  ; task 1's initial state
  mov dword [TSS1 + 0x1C], 0                 ; CR3 (paging is off)
  mov dword [TSS1 + 0x20], task1
  mov dword [TSS1 + 0x24], 0x2               ; EFLAGS
  mov dword [TSS1 + 0x28], 0x11111111        ; EAX
  mov dword [TSS1 + 0x2C], 0x22222222        ; ECX
  mov dword [TSS1 + 0x30], 0x33333333        ; EDX
  mov dword [TSS1 + 0x34], 0x44444444        ; EBX
  mov dword [TSS1 + 0x38], 0x60000           ; ESP
  mov dword [TSS1 + 0x3C], 0x55555555        ; EBP
  mov dword [TSS1 + 0x40], 0x66666666        ; ESI
  mov dword [TSS1 + 0x44], 0x77777777        ; EDI
  mov word [TSS1 + 0x48], SEL_DATA0
  mov word [TSS1 + 0x4C], SEL_CODE0
  mov word [TSS1 + 0x50], SEL_DATA0
  mov word [TSS1 + 0x54], SEL_DATA0
  mov word [TSS1 + 0x58], SEL_DATA0
  mov word [TSS1 + 0x5C], SEL_DATA0
  mov word [TSS1 + 0x60], 0                  ; no LDT
  ; task gate in the GDT: selector TSS1, type 5, DPL 0, present
  mov dword [GDT_RAM + SEL_TGATE], SEL_TSS1 << 16
  mov dword [GDT_RAM + SEL_TGATE + 4], 0x8500

  mov esi, 0xA5A5A5A5
  mov edi, 0x5A5A5A5A
  mov ebp, 0x12345678
  call SEL_TSS1:0                            ; nested task switch
  ; back in task 0, its registers come from TSS0
  CHECK esi, 0xA5A5A5A5, 1
  CHECK edi, 0x5A5A5A5A, 2
  CHECK ebp, 0x12345678, 3
  CHECK esp, STACK0, 4
  CHECK dword [TSS1 + 0x28], 0xCAFE0001, 5   ; task 1's EAX saved at its IRET
  CHECK byte [GDT_RAM + SEL_TSS1 + 5], AVAIL_TSS, 6
  CHECK byte [GDT_RAM + SEL_TSS0 + 5], BUSY_TSS, 7
  pushfd
  pop eax
  test eax, 0x4000
  jz .nt_clear
  FAIL 8
.nt_clear:
  str ax
  CHECK ax, SEL_TSS0, 9

  jmp SEL_TGATE:0                            ; through the task gate
  ; task 1 jumps back to TSS0: execution resumes here
  CHECK byte [GDT_RAM + SEL_TSS1 + 5], AVAIL_TSS, 10
  CHECK byte [GDT_RAM + SEL_TSS0 + 5], BUSY_TSS, 11
  CHECK dword [TSS1 + 0x2C], 0xCAFE0002, 12  ; task 1's ECX saved at its JMP
  CHECK esi, 0xA5A5A5A5, 13
  PASS

task1:
  CHECK eax, 0x11111111, 0x20
  CHECK ecx, 0x22222222, 0x21
  CHECK edx, 0x33333333, 0x22
  CHECK ebx, 0x44444444, 0x23
  CHECK esp, 0x60000, 0x24
  CHECK ebp, 0x55555555, 0x25
  CHECK esi, 0x66666666, 0x26
  CHECK edi, 0x77777777, 0x27
  str ax
  CHECK ax, SEL_TSS1, 0x28
  CHECK word [TSS1], SEL_TSS0, 0x29          ; back link
  CHECK byte [GDT_RAM + SEL_TSS1 + 5], BUSY_TSS, 0x2A
  CHECK byte [GDT_RAM + SEL_TSS0 + 5], BUSY_TSS, 0x2B  ; CALL keeps the caller busy
  pushfd
  pop eax
  test eax, 0x4000
  jnz .nt_set
  FAIL 0x2C
.nt_set:
  CHECK dword [TSS0 + 0x40], 0xA5A5A5A5, 0x2D ; task 0's ESI saved in TSS0
  mov eax, 0xCAFE0001
  iretd                                      ; NT = 1: back to task 0
  ; resumed by the JMP through the task gate
  pushfd
  pop eax
  test eax, 0x4000
  jz .nt_clear2
  FAIL 0x30
.nt_clear2:
  CHECK byte [GDT_RAM + SEL_TSS0 + 5], AVAIL_TSS, 0x31  ; JMP clears the old task's busy bit
  CHECK byte [GDT_RAM + SEL_TSS1 + 5], BUSY_TSS, 0x32
  mov ecx, 0xCAFE0002
  jmp SEL_TSS0:0

ROM_END
