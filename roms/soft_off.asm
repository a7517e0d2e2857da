; A flat binary for the CLI exit-status test of ACPI soft-off, run with -machine pc (no firmware:
; it programs the PIIX4 power-management function itself). Intel 82371AB PIIX4 datasheet:
; function 3's PMBA (config 40h, bits 15:6, bit 0 = I/O space) places the PM I/O block, which
; is decoded once PMREGMISC (config 80h) bit 0 PMIOSE is set (3.4.2); PM1 control is at
; PMBA+04h, SLP_TYP in bits 12:10 (000 = soft off) and the SLP_EN strobe in bit 13 (7.2.3).
; 00:01.3 is where QEMU's i440FX board, and ours, put that function. The machine must stop on
; the write; if it does not, the exit port reports 7.
bits 16
org 0
pm_base equ 0x600
    mov dx, 0xCF8
    mov eax, 0x80000000 | (1 << 11) | (3 << 8) | 0x40   ; bus 0, device 1, function 3, PMBA
    out dx, eax
    mov dx, 0xCFC
    mov eax, pm_base | 1
    out dx, eax
    mov dx, 0xCF8
    mov eax, 0x80000000 | (1 << 11) | (3 << 8) | 0x80   ; PMREGMISC
    out dx, eax
    mov dx, 0xCFC
    mov al, 1                   ; PMIOSE
    out dx, al
    mov dx, pm_base + 4         ; PM1_CNT
    mov ax, (0 << 10) | (1 << 13)
    out dx, ax
    mov al, 7
    out 0xF4, al
