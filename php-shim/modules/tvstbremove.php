<?php

/*
 * lmstv — remove an STB from stock (POST only, confirmed); the button lives on TV → Lista STB.
 */

$tvstb_operation = 'stb_remove';
include(__DIR__ . DIRECTORY_SEPARATOR . 'tvstblist.php');
