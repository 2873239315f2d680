<?php

/*
 * lmstv — tvexport was a copy of the customer list in SGT's module; kept as that list so old
 * bookmarks work. Exporting a customer is the "Eksport do SMS" button on the customer page.
 */

if (!LMSTV::allowView())
	return;

$SESSION->redirect('?m=tvcustomers');
