<?php

/*
 * lmstv — remove an STB from stock (POST only, confirmed); the button lives on TV → Lista STB.
 */

$tvstb_operation = 'stb_remove';
include(MODULES_DIR . DIRECTORY_SEPARATOR . 'tvstblist.php');
