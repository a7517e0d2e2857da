; A flat binary that triple-faults, for the CLI exit-status test (status 3). With the IVT limit
; set to 0 the #UD from UD2 cannot be delivered (#GP), nor can that #GP (#GP during #GP is a
; double fault), nor the #DF: a shutdown (SDM Vol. 3A, 6.15 "Interrupt 8", Table 6-5).
bits 16
org 0
    lidt [cs:idt_zero]
    ud2
idt_zero:
    dw 0                        ; limit
    dd 0                        ; base
