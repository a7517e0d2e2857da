; A flat binary (not a ROM) for the CLI tests: it must start at --load-addr in real mode with
; CS = load-addr/16 and IP = 0. It checks CS by comparing it with DS (both set by the loader),
; then writes 42 to the exit port, so a correct start gives exit status 42.
bits 16
org 0
    mov ax, cs
    mov bx, ds
    cmp ax, bx
    jne .wrong
    mov al, 42
    out 0xF4, al
.wrong:
    mov al, 7
    out 0xF4, al
