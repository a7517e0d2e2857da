; gp_limit: segment-limit checks raise #GP(0) as a fault (SDM Vol. 3A 5.3: limit checking; 6.15
; "Interrupt 13": error code 0 for limit violations, the saved EIP points at the faulting
; instruction), for an expand-up segment with a small limit and an expand-down segment
; (valid offsets limit+1 .. 0xFFFFFFFF when B = 1, SDM 3.4.5.1), plus a null-selector access and
; a selector past the GDT limit (#GP(selector), SDM 6.15 and MOV "Protected Mode Exceptions").
%include "common.inc"

; TRY label: the next instruction is expected to fault with [expect_err]; resume after label_end.
%macro EXPECT_GP 2
  mov dword [expect_err], %2
  mov dword [expect_eip], %1
  mov dword [resume_eip], %1 %+ _end
%endmacro

test_main:
  IDT_SET 13, gp_handler, 0x8E
  mov ax, SEL_SMALL
  mov es, ax
  ; in-limit accesses work: last dword that fits is at 0xFC
  mov dword [es:0xFC], 0x11223344
  mov eax, [0x50000 + 0xFC]
  CHECK eax, 0x11223344, 1
  CHECK dword [fault_count], 0, 2

  ; a dword at 0xFD ends at 0x100 > limit 0xFF: #GP(0), EIP = the MOV
  EXPECT_GP f1, 0
f1:
  mov eax, [es:0xFD]
f1_end:
  CHECK dword [fault_count], 1, 3

  ; byte write at exactly limit+1
  EXPECT_GP f2, 0
f2:
  mov byte [es:0x100], 1
f2_end:
  CHECK dword [fault_count], 2, 4

  ; expand-down: offsets 0x1000.. are valid, 0xFFF and 0 are not
  mov ax, SEL_EDOWN
  mov fs, ax
  mov dword [fs:0x1000], 0xCAFEBABE
  mov eax, [0x61000]
  CHECK eax, 0xCAFEBABE, 5
  mov eax, [fs:0xFFFFFFFC]          ; top of the 4 GiB range (B = 1): linear 0x5FFFC (wraps)
  CHECK dword [fault_count], 2, 6
  EXPECT_GP f3, 0
f3:
  mov eax, [fs:0xFFF]
f3_end:
  CHECK dword [fault_count], 3, 7
  ; a dword at 0xFFE straddles the bound (0xFFE < 0x1000): fault
  EXPECT_GP f4, 0
f4:
  mov eax, [fs:0xFFE]
f4_end:
  CHECK dword [fault_count], 4, 8

  ; null selector in GS loads fine; using it is #GP(0)
  xor eax, eax
  mov gs, ax
  EXPECT_GP f5, 0
f5:
  mov eax, [gs:0]
f5_end:
  CHECK dword [fault_count], 5, 9

  ; selector past the GDT limit: #GP(selector)
  mov bx, 0x7F8
  EXPECT_GP f6, 0x7F8
f6:
  mov ds, bx
f6_end:
  CHECK dword [fault_count], 6, 10
  mov ax, ds
  CHECK ax, SEL_DATA0, 11           ; DS unchanged by the failed load

  PASS

; #GP handler: checks the error code and the saved EIP (a fault reports the faulting
; instruction), then resumes after it.
gp_handler:
  mov eax, [esp]
  cmp eax, [expect_err]
  je .err_ok
  FAIL 0x40
.err_ok:
  mov eax, [esp + 4]
  cmp eax, [expect_eip]
  je .eip_ok
  FAIL 0x41
.eip_ok:
  add esp, 4                        ; drop the error code
  mov eax, [resume_eip]
  mov [esp], eax
  inc dword [fault_count]
  iretd

ROM_END
