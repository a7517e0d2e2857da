; pm_paging: two-level paging with 4 KiB pages and a 4 MiB PSE page (SDM Vol. 3A 4.3), page
; faults with CR2 and error codes (4.7: bit 0 P, bit 1 W/R, bit 2 U/S), Accessed/Dirty updates
; (4.8), CR0.WP for supervisor writes (4.6), and INVLPG after fixing a mapping (4.10.4.1).
%include "common.inc"

PD   equ 0x10000
PT0  equ 0x11000
NP_PAGE equ 0x300000               ; not present at first
RO_PAGE equ 0x301000               ; present, user, read-only
MARK0 equ 0x5A5A0001
MARK1 equ 0x5A5A0002
MARK2 equ 0x5A5A0003

; PF_EXPECT error code, linear address, fix address, fix value
%macro PF_EXPECT 4
  mov dword [expect_err], %1
  mov dword [expect_cr2], %2
  mov dword [fix_addr], %3
  mov dword [fix_val], %4
%endmacro

test_main:
  IDT_SET 14, pf_handler, 0x8E
  ; markers in physical memory, read back through paging later
  mov dword [NP_PAGE + 0x10], MARK0
  mov dword [0x800010], MARK1      ; inside the 4 MiB page at 0x800000
  mov dword [RO_PAGE + 0x20], MARK2
  ; PT0: identity map 0-4 MiB, supervisor read/write (P | RW)
  mov edi, PT0
  xor eax, eax
.fill_pt:
  mov edx, eax
  or edx, 3
  mov [edi], edx
  add edi, 4
  add eax, 0x1000
  cmp eax, 0x400000
  jb .fill_pt
  mov dword [PT0 + (NP_PAGE >> 12) * 4], 0               ; not present
  mov dword [PT0 + (RO_PAGE >> 12) * 4], RO_PAGE | 5     ; P | US, read-only
  ; PD: entry 0 -> PT0 (P | RW | US so the PTE decides), entry 1 -> 4 MiB page at 8 MiB
  mov edi, PD
  mov ecx, 1024
.zero_pd:
  mov dword [edi], 0
  add edi, 4
  dec ecx
  jnz .zero_pd
  mov dword [PD + 0], PT0 | 7
  mov dword [PD + 4], 0x800000 | 0x83                    ; P | RW | PS
  mov eax, PD
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10                                           ; CR4.PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000                                     ; PG, WP still clear
  mov cr0, eax

  ; 1. read of a not-present page: #PF, error 0 (not present, read, supervisor), CR2 = address;
  ;    the handler maps it and the MOV restarts and reads the marker.
  PF_EXPECT 0, NP_PAGE + 0x10, PT0 + (NP_PAGE >> 12) * 4, NP_PAGE | 3
  mov eax, [NP_PAGE + 0x10]
  CHECK eax, MARK0, 1
  CHECK dword [fault_count], 1, 2
  ; the walk set Accessed in the PDE and the PTE, no Dirty for a read (4.8)
  mov eax, [PT0 + (NP_PAGE >> 12) * 4]
  and eax, 0x60
  CHECK eax, 0x20, 3
  mov eax, [PD]
  and eax, 0x20
  CHECK eax, 0x20, 4

  ; 2. supervisor write to a read-only page with CR0.WP = 0 succeeds (4.6) and sets Dirty
  mov eax, [RO_PAGE + 0x20]
  CHECK eax, MARK2, 5
  mov dword [RO_PAGE + 0x24], 0x77
  CHECK dword [fault_count], 1, 6
  mov eax, [PT0 + (RO_PAGE >> 12) * 4]
  and eax, 0x60
  CHECK eax, 0x60, 7

  ; 3. with CR0.WP = 1 the same write faults: error 3 (present | write, supervisor)
  mov eax, cr0
  or eax, 0x10000
  mov cr0, eax
  PF_EXPECT 3, RO_PAGE + 0x28, PT0 + (RO_PAGE >> 12) * 4, RO_PAGE | 7
  mov dword [RO_PAGE + 0x28], 0x88
  CHECK dword [fault_count], 2, 8
  CHECK dword [RO_PAGE + 0x28], 0x88, 9

  ; 4. the 4 MiB page: linear 0x400010 -> physical 0x800010; Accessed set in the PDE
  mov eax, [0x400010]
  CHECK eax, MARK1, 10
  mov eax, [PD + 4]
  and eax, 0x20
  CHECK eax, 0x20, 11

  ; 5. unmapping a page needs INVLPG to take effect; after it the access faults again
  mov dword [PT0 + (NP_PAGE >> 12) * 4], 0
  invlpg [NP_PAGE]
  PF_EXPECT 0, NP_PAGE + 0x14, PT0 + (NP_PAGE >> 12) * 4, NP_PAGE | 3
  mov eax, [NP_PAGE + 0x14]
  CHECK dword [fault_count], 3, 12

  ; 6. write to a not-present page: error 2 (write, not present)
  mov dword [PT0 + (NP_PAGE >> 12) * 4], 0
  invlpg [NP_PAGE]
  PF_EXPECT 2, NP_PAGE + 0x18, PT0 + (NP_PAGE >> 12) * 4, NP_PAGE | 3
  mov dword [NP_PAGE + 0x18], 0x99
  CHECK dword [fault_count], 4, 13
  CHECK dword [NP_PAGE + 0x18], 0x99, 14
  PASS

; #PF: checks error code and CR2, installs the fixed PTE, flushes that page, restarts.
pf_handler:
  mov eax, [esp]
  cmp eax, [expect_err]
  je .err_ok
  FAIL 0x40
.err_ok:
  mov eax, cr2
  cmp eax, [expect_cr2]
  je .cr2_ok
  FAIL 0x41
.cr2_ok:
  mov edx, [fix_addr]
  mov ecx, [fix_val]
  mov [edx], ecx
  invlpg [eax]
  inc dword [fault_count]
  add esp, 4
  iretd

ROM_END
