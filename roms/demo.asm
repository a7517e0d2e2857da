; pcjit demo guest: a 64 KiB ROM image started from the reset vector (run it with
; `pcjit -bios build/roms/demo.bin`). It stores the Fibonacci numbers F(1)..F(12) in RAM,
; prints them and their sum in decimal on the debug console (port 0xE9), checks the sum against
; the identity F(1)+...+F(n) = F(n+2)-1 (F(14)-1 = 376), and exits through port 0xF4 with 0 when
; it matches, 1 when it does not.
;
; Why it is written this way: it only uses instructions a young interpreter has (MOV, ALU,
; INC, CMP, Jcc/JMP, LOOP, CALL/RET, PUSH/POP, OUT), so it can smoke-test the whole pipeline.
; Decimal output uses repeated subtraction instead of DIV for the same reason. The CPU starts at
; F000:FFF0 with CS.base = 0xFFFF0000, i.e. at the top copy of this ROM; a near jump keeps that
; CS, and [cs:...] reads fetch the strings from the ROM. Data and stack live in RAM (DS=SS=0).
; The code sits in the top 8 KiB so that jump is backward and needs no 16-bit IP wrap-around.

bits 16
org 0
    times 0xE000 db 0xFF

DEBUGCON    equ 0xE9
EXIT_PORT   equ 0xF4
FIB_COUNT   equ 12
FIB_TABLE   equ 0x0500          ; physical 0x500: free RAM in real mode
EXPECTED    equ 376             ; F(14) - 1

start:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ds, ax

    mov si, msg_fib
    call print

    ; F(1)..F(FIB_COUNT) into FIB_TABLE
    mov di, FIB_TABLE
    mov ax, 1                   ; F(n)
    mov bx, 1                   ; F(n+1)
    mov cx, FIB_COUNT
.fib:
    mov [di], ax
    add di, 2
    mov dx, ax
    add dx, bx
    mov ax, bx
    mov bx, dx
    loop .fib

    ; print them back from RAM, and add them up
    mov si, FIB_TABLE
    mov cx, FIB_COUNT
    xor bx, bx
.show:
    mov ax, [si]
    add bx, ax
    call print_dec
    mov al, ' '
    out DEBUGCON, al
    add si, 2
    loop .show

    push bx
    mov si, msg_sum
    call print
    pop ax
    push ax
    call print_dec
    mov al, 10
    out DEBUGCON, al
    pop ax

    cmp ax, EXPECTED
    jne .bad
    mov si, msg_ok
    call print
    mov al, 0
    out EXIT_PORT, al
    jmp .stuck
.bad:
    mov si, msg_bad
    call print
    mov al, 1
    out EXIT_PORT, al
.stuck:                         ; not reached when the exit port works
    cli
    hlt
    jmp .stuck

; print: writes the zero-terminated string at CS:SI to the debug console. Clobbers AL, SI.
print:
    mov al, [cs:si]
    inc si
    cmp al, 0
    je .done
    out DEBUGCON, al
    jmp print
.done:
    ret

; print_dec: writes AX in decimal (no leading zeros). Preserves all registers but flags.
print_dec:
    push ax
    push bx
    push cx
    push dx
    push si
    mov si, powers
    xor dx, dx                  ; DL = 1 once a digit has been printed
.next:
    mov bx, [cs:si]
    add si, 2
    mov cl, '0'
.sub:
    cmp ax, bx
    jb .digit
    sub ax, bx
    inc cl
    jmp .sub
.digit:
    cmp bx, 1                   ; the units digit is always printed
    je .emit
    cmp cl, '0'
    jne .emit
    cmp dl, 0
    je .skip
.emit:
    mov dl, 1
    push ax
    mov al, cl
    out DEBUGCON, al
    pop ax
.skip:
    cmp bx, 1
    jne .next
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    ret

powers:  dw 10000, 1000, 100, 10, 1
msg_fib: db "pcjit demo: fib(1..12) = ", 0
msg_sum: db 10, "pcjit demo: sum = ", 0
msg_ok:  db "pcjit demo: ok", 10, 0
msg_bad: db "pcjit demo: FAILED (sum should be 376)", 10, 0

    times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:                   ; F000:FFF0, linear 0xFFFFFFF0
    jmp near start
    times 0x10000 - ($ - $$) db 0xFF
