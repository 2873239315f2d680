<?php

/* lmstv plugin — the shim's shared tvmessagessend screen (shim/modules/tvmessagessend.php). */
require LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . basename(__FILE__);
