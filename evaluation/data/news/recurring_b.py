"""Recurring subjects of the news set's second part, 2024-2025 (generated text: the events,
firms and people are invented; the places are real). Part B: the Ferromax plant closure at
Hayange, the Vierzon by-election, the wildfire seasons, the Carhaix emergency ward, the Hélios
battery plant at Dunkerque, the harvests, the drought in the Pyrénées-Orientales.

Same shape as `stories.STORIES`: (key, date, source, lang, title, body).
"""

from __future__ import annotations

RECURRING_B: list[tuple[str, str, str, str, str, str]] = [
    # --- Hayange: the Ferromax plant closure -----------------------------------------------------
    ("ferromax-2024-02", "2024-02-08T11:00:00+01:00", "AFP", "fr",
     "Moselle : le groupe Ferromax annonce la fermeture de son usine d'Hayange, 420 emplois menacés",
     """Le groupe sidérurgique Ferromax a annoncé jeudi 8 février la fermeture d'ici à la fin de l'année de son usine de tubes d'acier d'Hayange (Moselle), qui emploie 420 salariés. La direction invoque une baisse de 40 % des commandes depuis 2022 et la concurrence des importations asiatiques.

La production doit être transférée vers l'usine du groupe en Pologne. Les syndicats, reçus au siège parisien dans la matinée, dénoncent « une délocalisation pure et simple ».

Le ministre de l'Industrie a demandé au groupe de chercher un repreneur. Un rassemblement est prévu samedi devant l'usine.

L'usine d'Hayange, ouverte en 1961, fabrique des tubes pour l'industrie pétrolière et la construction. Elle avait déjà perdu 150 emplois lors d'un plan de départs volontaires il y a dix ans. Les élus de la vallée de la Fensch parlent d'un « coup de massue »."""),
    ("ferromax-2024-04", "2024-04-16T18:20:00+02:00", "Le Républicain lorrain", "fr",
     "Ferromax Hayange : les salariés bloquent l'usine, aucun repreneur en vue",
     """Les salariés de l'usine Ferromax d'Hayange bloquent depuis lundi les sorties de camions pour empêcher le déménagement des machines vers la Pologne. Environ 200 personnes se relaient jour et nuit devant les grilles.

Deux mois après l'annonce de la fermeture, aucune offre de reprise n'a été déposée. Le cabinet mandaté par la direction a contacté 35 entreprises, dont trois ont visité le site.

L'intersyndicale demande une prime de départ de 80 000 euros par salarié, la direction propose 25 000 euros. Une réunion à la préfecture de la Moselle est prévue jeudi.

Le maire d'Hayange a apporté son soutien aux salariés et fait livrer des repas au piquet de grève. La direction a saisi le tribunal judiciaire de Metz pour obtenir la levée du blocage."""),
    ("ferromax-2024-07", "2024-07-11T20:30:00+02:00", "AFP", "fr",
     "Ferromax : un accord sur le plan social à Hayange, 45 000 euros de prime de départ",
     """La direction de Ferromax et l'intersyndicale de l'usine d'Hayange ont signé jeudi 11 juillet un accord sur le plan de sauvegarde de l'emploi. Chaque salarié licencié recevra une prime de 45 000 euros, en plus des indemnités légales.

L'accord prévoit aussi 60 reclassements dans d'autres sites du groupe en France et un congé de reclassement de quinze mois. Le blocage de l'usine, qui durait depuis trois mois, a été levé.

La fermeture reste fixée au 20 décembre. Les élus locaux continuent de chercher un repreneur pour le site de 18 hectares.

Les salariés âgés de plus de 57 ans pourront partir en préretraite jusqu'à l'âge de la retraite, avec 75 % de leur salaire. Quarante-deux personnes sont concernées. L'intersyndicale a salué « un accord arraché par la lutte »."""),
    ("ferromax-2024-12", "2024-12-20T17:00:00+01:00", "Le Républicain lorrain", "fr",
     "Hayange : dernière coulée et larmes à l'usine Ferromax, qui ferme ses portes",
     """L'usine Ferromax d'Hayange a fermé définitivement vendredi 20 décembre, après 63 ans d'activité. Les derniers 140 salariés encore présents ont assisté à l'arrêt de la dernière ligne de production, dans une atmosphère chargée d'émotion.

Sur les 420 salariés, 60 ont accepté un reclassement dans le groupe et 95 ont déjà retrouvé un emploi ou un projet de formation, selon la direction. Les autres entrent en congé de reclassement.

Le maire d'Hayange affirme que « deux industriels » ont manifesté leur intérêt pour le site.

Une cérémonie a réuni les salariés et leurs familles dans le réfectoire de l'usine. Les anciens ont remis au maire d'Hayange le dernier tube produit, qui sera exposé à l'hôtel de ville. Le site de 18 hectares reste la propriété de Ferromax, qui s'est engagé à le dépolluer avant toute cession."""),
    ("ferromax-2025-05", "2025-05-22T10:40:00+02:00", "AFP", "fr",
     "Ancienne usine Ferromax d'Hayange : un fabricant d'éoliennes reprend le site, 250 emplois promis",
     """Le fabricant de mâts d'éoliennes Ventanor va reprendre l'ancienne usine Ferromax d'Hayange, fermée en décembre, a annoncé jeudi 22 mai le ministère de l'Industrie. Il promet 250 emplois d'ici à 2027 et un investissement de 90 millions d'euros.

Ventanor s'engage à embaucher en priorité les anciens salariés de Ferromax. Les premiers recrutements commenceront en janvier 2026, après un an de travaux de réaménagement.

L'État et la région Grand Est apportent 22 millions d'euros d'aides. « C'est une renaissance pour la vallée de la Fensch », s'est réjoui le maire d'Hayange.

Ventanor, une entreprise créée il y a huit ans à Saint-Nazaire, fabrique des mâts pour les éoliennes terrestres et en mer. Le site d'Hayange doit produire 300 mâts par an à partir de 2027, destinés aux parcs éoliens du nord et de l'est de la France."""),
    ("ferromax-en-2024", "2024-02-08T14:30:00+01:00", "Reuters", "en",
     "Steel tube maker Ferromax to close French plant, move output to Poland",
     """Steel tube maker Ferromax will close its plant in Hayange, eastern France, by the end of the year, cutting 420 jobs, the company said on Thursday, blaming a 40% drop in orders since 2022 and competition from Asian imports.

Production will move to the group's plant in Poland. France's industry minister asked the company to look for a buyer for the site.

The closure adds to a string of job cuts in French heavy industry. Unions called a rally outside the plant for Saturday.

The Hayange plant, opened in 1961, makes steel tubes for the oil industry and construction. Ferromax did not say how many jobs would be created in Poland. The company employs about 6,000 people worldwide, mostly in Poland, Germany and Spain."""),
    # --- Vierzon: a municipal by-election ----------------------------------------------------------
    ("vierzon-2025-01", "2025-01-24T16:00:00+01:00", "Le Berry républicain", "fr",
     "Vierzon : une élection municipale partielle convoquée en mars après la démission du conseil",
     """Les électeurs de Vierzon (Cher) retourneront aux urnes les 16 et 23 mars pour une élection municipale partielle, a annoncé vendredi la préfecture du Cher. La démission de 18 des 35 conseillers municipaux en décembre a entraîné la dissolution du conseil.

Les démissionnaires reprochaient au maire sortant, Alain Peyrot, la hausse de 14 % de la taxe foncière votée en 2024. M. Peyrot a annoncé qu'il serait candidat à sa succession.

Les listes doivent être déposées avant le 27 février. Une délégation spéciale de trois personnes gère les affaires courantes jusqu'à l'élection.

La dernière élection municipale partielle dans une ville de plus de 20 000 habitants du Cher remonte à 1997. Plusieurs personnalités locales ont déjà annoncé leur intention de constituer une liste, dont une conseillère départementale."""),
    ("vierzon-2025-03a", "2025-03-16T22:30:00+01:00", "AFP", "fr",
     "Municipale partielle à Vierzon : Claire Dumoulin en tête du premier tour",
     """La candidate divers gauche Claire Dumoulin est arrivée en tête du premier tour de l'élection municipale partielle de Vierzon, dimanche 16 mars, avec 38,4 % des voix. Le maire sortant Alain Peyrot obtient 31,2 %, et la liste du Rassemblement national 19,7 %.

La participation s'est établie à 46,1 %, en hausse de six points par rapport aux municipales de 2020. Une quatrième liste, citoyenne, obtient 10,7 % et ne peut pas se maintenir.

Les trois premières listes sont qualifiées pour le second tour, dimanche 23 mars.

La campagne a été dominée par la fiscalité locale et la fermeture de la maternité de l'hôpital. Claire Dumoulin a reçu le soutien du Parti socialiste, des écologistes et du Parti communiste. Alain Peyrot a exclu toute fusion avec la liste du Rassemblement national."""),
    ("vierzon-2025-03b", "2025-03-23T22:45:00+01:00", "Le Berry républicain", "fr",
     "Vierzon : Claire Dumoulin élue maire, le sortant Alain Peyrot battu",
     """Claire Dumoulin remporte l'élection municipale partielle de Vierzon : sa liste a obtenu 47,9 % des voix au second tour, dimanche 23 mars, contre 34,6 % pour le maire sortant Alain Peyrot et 17,5 % pour le Rassemblement national.

La participation a atteint 51,3 %. La liste de Mme Dumoulin obtient 26 des 35 sièges du conseil municipal.

Conseillère départementale et ancienne professeure de lettres, Claire Dumoulin a promis de revenir sur la hausse de la taxe foncière. Le conseil municipal se réunira samedi pour élire formellement la maire.

La soirée électorale s'est tenue dans une salle des fêtes comble. « Les Vierzonnais ont choisi le changement », a déclaré la nouvelle élue, qui a remercié la liste citoyenne arrivée quatrième au premier tour pour son appel au vote."""),
    ("vierzon-2025-04", "2025-04-15T19:10:00+02:00", "Le Berry républicain", "fr",
     "Vierzon : le premier budget de Claire Dumoulin baisse la taxe foncière de 5 %",
     """Le conseil municipal de Vierzon a adopté lundi 14 avril le premier budget de la nouvelle maire, Claire Dumoulin. Le taux de la taxe foncière baisse de 5 %, revenant sur une partie de la hausse de 14 % décidée en 2024.

Pour compenser, la ville reporte la rénovation de la piscine municipale à 2027 et réduit de 8 % les dépenses de communication. Le budget s'élève à 62 millions d'euros.

L'opposition, menée par l'ancien maire Alain Peyrot, a voté contre, jugeant la baisse « électoraliste ».

La nouvelle majorité a également voté la gratuité des transports scolaires pour les élèves de primaire, une mesure qui coûtera 240 000 euros par an. Un audit des finances de la ville a été confié à un cabinet indépendant."""),
    # --- wildfires: the summers of 2024 and 2025 ---------------------------------------------------
    ("feux-2024-07", "2024-07-24T19:00:00+02:00", "AFP", "fr",
     "Aude : un incendie parcourt 900 hectares dans les Corbières",
     """Un incendie a parcouru 900 hectares de garrigue et de vignes mercredi 24 juillet dans les Corbières (Aude), entre Lagrasse et Fabrezan. Quelque 450 pompiers et six bombardiers d'eau sont mobilisés.

Le feu, parti en début d'après-midi au bord d'une route départementale, a été attisé par une tramontane soufflant à 70 km/h. Deux cents habitants d'un hameau ont été évacués par précaution et hébergés dans une salle des fêtes.

Aucune victime n'est à déplorer. Trois pompiers ont été légèrement blessés. Le feu n'était pas fixé en soirée.

La préfecture de l'Aude a interdit l'accès aux massifs des Corbières jusqu'à nouvel ordre. Le feu a menacé un domaine viticole, dont les bâtiments ont pu être protégés. Les viticulteurs estiment que plusieurs dizaines d'hectares de vignes ont été perdus."""),
    ("feux-2024-08", "2024-08-12T10:20:00+02:00", "L'Indépendant", "fr",
     "Pyrénées-Orientales : 1 200 hectares brûlés près de Tautavel, l'incendie fixé",
     """L'incendie qui s'était déclaré samedi près de Tautavel (Pyrénées-Orientales) est fixé depuis lundi matin, après avoir parcouru 1 200 hectares. Une maison et plusieurs hangars agricoles ont été détruits.

Plus de 600 pompiers ont été engagés, appuyés par huit Canadair. La sécheresse persistante dans le département, où il n'a presque pas plu depuis dix-huit mois, a favorisé la propagation.

Un homme de 42 ans a été placé en garde à vue, soupçonné d'avoir provoqué le départ de feu en utilisant une disqueuse.

L'incendie a contraint la fermeture pendant deux jours de l'autoroute A9 entre Perpignan et Narbonne, dans le sens nord-sud. Le préfet a rappelé que tout usage d'outils pouvant produire des étincelles est interdit près des zones boisées. Les agriculteurs touchés pourront bénéficier d'aides d'urgence."""),
    ("feux-2024-09", "2024-09-27T12:00:00+02:00", "AFP", "fr",
     "Feux de forêt : 9 800 hectares brûlés en France cet été, un bilan inférieur à la moyenne",
     """Les incendies de forêt ont parcouru environ 9 800 hectares en France métropolitaine entre juin et septembre 2024, selon le bilan publié vendredi par le ministère de l'Intérieur. C'est moins que la moyenne des dix dernières années, qui s'établit à 16 000 hectares.

Le pourtour méditerranéen concentre 70 % des surfaces brûlées, avec les feux des Corbières en juillet et de Tautavel en août. Un été plus humide dans l'Ouest a limité les départs de feu en Gironde et dans les Landes.

Le ministère a recensé 4 100 départs de feu, dont 90 % d'origine humaine.

Le ministère souligne le rôle de la surveillance aérienne et des patrouilles au sol, renforcées depuis 2022. Il rappelle que l'emploi du feu est interdit en forêt et à moins de 200 mètres des bois pendant la période estivale."""),
    ("feux-2025-07", "2025-07-15T21:30:00+02:00", "Sud Ouest", "fr",
     "Gironde : un incendie ravage 2 400 hectares de pins près de Hostens",
     """Un important incendie a brûlé 2 400 hectares de forêt de pins mardi 15 juillet autour de Hostens, dans le sud de la Gironde. Le feu a progressé de plusieurs kilomètres en quelques heures, poussé par un vent d'ouest.

Environ 1 100 habitants de trois communes ont été évacués. Plus de 800 pompiers sont mobilisés, avec des renforts venus de dix départements.

Le secteur avait déjà été touché par les grands incendies de l'été 2022. Le préfet de la Gironde a interdit l'accès aux massifs forestiers de tout le département jusqu'à nouvel ordre.

Les évacués ont été accueillis dans des gymnases de Belin-Béliet et de Salles. La Croix-Rouge a distribué 1 500 repas dans la soirée. L'autoroute A63 reste ouverte, mais sous surveillance en raison des fumées."""),
    ("feux-2025-07b", "2025-07-19T09:30:00+02:00", "AFP", "fr",
     "Incendie de Hostens : le feu fixé après avoir brûlé 4 100 hectares",
     """L'incendie de Hostens, en Gironde, est fixé depuis vendredi soir, après avoir parcouru 4 100 hectares en quatre jours, selon la préfecture. Les 1 100 habitants évacués ont pu regagner leur domicile samedi.

Dix-sept pompiers ont été légèrement blessés, aucun habitant n'a été touché. Deux maisons et une scierie ont été détruites.

L'enquête privilégie la piste d'une ligne électrique tombée sur la végétation. La surveillance du site sera maintenue pendant au moins deux semaines, le feu pouvant reprendre dans le sol tourbeux.

Les sylviculteurs estiment les pertes à plusieurs dizaines de millions d'euros. Le président de la région Nouvelle-Aquitaine a annoncé un fonds d'urgence de 5 millions d'euros pour les entreprises de la filière bois touchées. Les habitants de retour chez eux ont découvert des jardins et des clôtures calcinés."""),
    ("feux-2025-08", "2025-08-06T18:45:00+02:00", "L'Indépendant", "fr",
     "Aude : 3 000 hectares brûlés dans le massif de la Clape, des campings évacués",
     """Un incendie a parcouru 3 000 hectares dans le massif de la Clape, près de Narbonne (Aude), mercredi 6 août. Quatre campings de Narbonne-Plage et de Gruissan ont été évacués, soit près de 5 000 vacanciers.

Le feu a été attisé par une tramontane à 80 km/h. Quelque 1 000 pompiers et douze bombardiers d'eau sont engagés. La route entre Narbonne et Gruissan est coupée.

C'est le plus grand incendie dans l'Aude depuis celui des Corbières, qui avait brûlé 900 hectares en juillet 2024.

Le préfet de l'Aude a déclenché le plan Orsec. Les vacanciers évacués ont été hébergés au parc des expositions de Narbonne. Un homme de 30 ans a été interpellé après avoir été vu près du point de départ du feu."""),
    ("feux-2025-09", "2025-09-30T11:15:00+02:00", "AFP", "fr",
     "Feux de forêt : l'été 2025, le plus destructeur depuis 2022 avec 21 000 hectares brûlés",
     """Les incendies ont parcouru environ 21 000 hectares en France métropolitaine entre juin et septembre 2025, plus du double de l'été 2024, selon le bilan publié mardi par le ministère de l'Intérieur.

Les feux de Hostens en Gironde, 4 100 hectares en juillet, et de la Clape dans l'Aude, 3 000 hectares en août, sont les plus étendus. La canicule de la fin juillet et un déficit de pluie de 40 % dans le Sud-Ouest ont aggravé la saison.

Le ministère annonce la commande de deux bombardiers d'eau supplémentaires pour 2027.

Le ministère a recensé 5 300 départs de feu, contre 4 100 en 2024. Les moyens aériens ont effectué 3 200 largages, un record depuis la création de la base de Nîmes-Garons."""),
    ("feux-en-2025", "2025-07-16T08:00:00+02:00", "Reuters", "en",
     "Wildfire in southwest France forces 1,100 people from their homes",
     """A wildfire burned 2,400 hectares of pine forest near Hostens in France's Gironde region on Tuesday, forcing 1,100 residents of three villages to evacuate, local authorities said.

More than 800 firefighters, with reinforcements from ten departments, were battling the blaze, which was driven by westerly winds. The area was hit by huge fires in the summer of 2022.

The Gironde prefect banned access to all forests in the department until further notice.

Firefighters said the blaze spread several kilometres in a few hours. No casualties were reported by Tuesday evening, and the A63 motorway remained open. Residents were taken to gymnasiums in nearby towns, where the Red Cross handed out 1,500 meals on Tuesday evening. Foresters warned the losses for the local timber industry would run into tens of millions of euros."""),
    # --- Carhaix: the hospital's emergency ward -----------------------------------------------------
    ("carhaix-2024-06", "2024-06-28T17:30:00+02:00", "Le Télégramme", "fr",
     "Carhaix : les urgences de l'hôpital fermées la nuit tout l'été, faute de médecins",
     """Les urgences de l'hôpital de Carhaix (Finistère) seront fermées la nuit, de 18 h 30 à 8 h 30, du 1er juillet au 31 août, a annoncé vendredi l'agence régionale de santé de Bretagne. Il manque sept médecins urgentistes sur les douze postes prévus.

La nuit, les patients devront appeler le 15, qui les orientera vers les urgences de Morlaix, Quimper ou Brest, à plus d'une heure de route pour certains habitants du Centre-Bretagne.

Le comité de défense de l'hôpital appelle à manifester samedi 6 juillet devant l'établissement.

L'hôpital de Carhaix accueille en moyenne 55 patients par jour aux urgences. L'agence régionale de santé assure chercher des renforts auprès des hôpitaux de Brest et de Morlaix et auprès des médecins intérimaires, sans succès pour l'instant."""),
    ("carhaix-2024-07", "2024-07-06T18:10:00+02:00", "AFP", "fr",
     "Carhaix : 4 000 manifestants pour défendre les urgences de l'hôpital",
     """Environ 4 000 personnes, selon les organisateurs, 2 800 selon la gendarmerie, ont manifesté samedi 6 juillet à Carhaix (Finistère) contre la fermeture nocturne des urgences de l'hôpital pendant l'été.

Le cortège, mené par une vingtaine de maires du Centre-Bretagne en écharpe, a défilé jusqu'à la sous-préfecture. « Nous ne sommes pas des citoyens de seconde zone », a lancé le président du comité de défense.

L'agence régionale de santé a promis une réunion avec les élus le 15 juillet pour présenter un plan de recrutement.

Les manifestants portaient des pancartes rappelant la mobilisation de 2008, quand la fermeture de la maternité et de la chirurgie avait été suspendue après des mois de lutte. Plusieurs commerces du centre-ville avaient baissé le rideau en signe de soutien."""),
    ("carhaix-2024-09", "2024-09-02T12:30:00+02:00", "Le Télégramme", "fr",
     "Carhaix : les urgences rouvrent la nuit, trois médecins recrutés",
     """Les urgences de l'hôpital de Carhaix ont rouvert la nuit dimanche 1er septembre, après deux mois de fermeture nocturne. L'hôpital a recruté trois médecins urgentistes, dont deux venus de l'étranger, et bénéficie de renforts de médecins du CHU de Brest.

Pendant l'été, 1 350 patients ont été réorientés la nuit par le 15 vers d'autres hôpitaux, selon l'agence régionale de santé.

Le comité de défense reste prudent : « Avec neuf médecins sur douze, rien n'est garanti pour l'hiver ».

L'agence régionale de santé n'a signalé aucun incident grave lié à la fermeture nocturne pendant l'été. Le comité de défense affirme au contraire avoir recensé trois cas de patients ayant attendu plus de deux heures une ambulance. L'hôpital espère pourvoir les trois postes restants d'ici à la fin de l'année."""),
    ("carhaix-2025-06", "2025-06-24T16:45:00+02:00", "Le Télégramme", "fr",
     "Urgences de Carhaix : pas de fermeture nocturne cet été, une première depuis 2022",
     """Les urgences de l'hôpital de Carhaix resteront ouvertes jour et nuit cet été, a annoncé mardi l'agence régionale de santé de Bretagne. C'est la première fois depuis 2022 qu'aucune fermeture nocturne n'est prévue en juillet et en août.

L'hôpital compte désormais onze médecins urgentistes sur douze postes, grâce à une prime d'installation de 30 000 euros financée par la région et l'intercommunalité.

Le comité de défense salue « une victoire de la mobilisation », tout en réclamant la réouverture de la maternité, fermée depuis 2023.

Les élus du Centre-Bretagne ont également obtenu la création d'une antenne du service mobile d'urgence et de réanimation, qui disposera d'une équipe médicale de nuit tout l'été. Le service accueille désormais 60 patients par jour en moyenne, contre 55 il y a un an."""),
    # --- Dunkerque: the Hélios battery plant ---------------------------------------------------------
    ("helios-2024-05", "2024-05-13T10:00:00+02:00", "AFP", "fr",
     "Batteries : la start-up Hélios va construire une gigafactory à Dunkerque, 1 200 emplois",
     """La start-up française Hélios Batteries a annoncé lundi 13 mai la construction d'une usine de batteries pour voitures électriques à Dunkerque (Nord), un investissement de 1,6 milliard d'euros. L'usine doit créer 1 200 emplois directs d'ici à 2028.

Le site produira des batteries lithium-fer-phosphate, moins chères et sans cobalt, pour une capacité de 16 gigawattheures par an, de quoi équiper 250 000 voitures. L'État apporte 350 millions d'euros de crédits d'impôt.

La première pierre doit être posée en janvier 2025 et la production démarrer à l'automne 2026.

Hélios, fondée il y a quatre ans à Grenoble par deux anciens ingénieurs du CEA, emploie 140 personnes. La start-up a déjà levé 300 millions d'euros auprès d'investisseurs privés et publics. Le choix de Dunkerque s'explique par la proximité du port et d'une électricité bas carbone."""),
    ("helios-2025-01", "2025-01-21T15:20:00+01:00", "La Voix du Nord", "fr",
     "Dunkerque : première pierre pour la gigafactory Hélios, qui signe avec un constructeur",
     """La première pierre de l'usine de batteries Hélios a été posée mardi 21 janvier à Dunkerque, en présence du ministre de l'Industrie. La start-up a annoncé le même jour un contrat avec un constructeur automobile français pour 40 % de sa production.

Le chantier, sur 70 hectares du port de Dunkerque, emploiera jusqu'à 1 500 ouvriers au plus fort des travaux. Hélios a lancé le recrutement de ses 150 premiers techniciens, formés à Douai.

La production doit démarrer à l'automne 2026, confirme la direction.

Le ministre a salué « la renaissance industrielle du Dunkerquois », où trois autres projets de batteries sont en cours. Le port de Dunkerque a dû déplacer une zone de stockage de charbon pour libérer le terrain."""),
    ("helios-2025-06", "2025-06-18T19:30:00+02:00", "Les Échos", "fr",
     "Hélios Batteries lève 600 millions d'euros pour son usine de Dunkerque",
     """Hélios Batteries a bouclé une levée de fonds de 600 millions d'euros, a annoncé mercredi la start-up, qui construit une usine de batteries à Dunkerque. Le tour de table réunit un fonds souverain, la Banque publique d'investissement et deux équipementiers automobiles.

Avec cette levée, Hélios a sécurisé 1,4 milliard d'euros des 1,6 milliard nécessaires. Le reste doit venir d'un prêt de la Banque européenne d'investissement.

Le gros œuvre de l'usine est achevé à 55 %. Le démarrage de la production reste prévu à l'automne 2026.

La start-up compte désormais 330 salariés, dont 180 à Dunkerque. Son directeur général a précisé que l'entreprise visait une introduction en Bourse « dans les trois ans ». Les premiers équipements de production doivent être installés au printemps prochain."""),
    ("helios-2025-11", "2025-11-25T08:45:00+01:00", "AFP", "fr",
     "Hélios repousse de six mois le démarrage de sa gigafactory de Dunkerque",
     """Hélios Batteries a annoncé mardi 25 novembre que la production de son usine de Dunkerque ne démarrerait qu'au printemps 2027, avec six mois de retard. La start-up invoque des retards de livraison des machines de fabrication des cellules, commandées en Corée du Sud.

Les 420 salariés déjà embauchés poursuivront leur formation sur une ligne pilote à Douai. Les recrutements se poursuivent, avec un objectif de 700 salariés fin 2026.

La direction assure que le retard ne remet en cause ni le financement ni le contrat signé avec un constructeur français en janvier.

Ce retard intervient dans un contexte difficile pour la filière européenne des batteries, confrontée à la concurrence des fabricants chinois et au ralentissement des ventes de voitures électriques. Un autre projet d'usine dans le Nord a été suspendu cet automne."""),
    ("helios-en-2025", "2025-11-25T12:10:00+01:00", "Reuters", "en",
     "French battery startup Helios delays Dunkirk gigafactory by six months",
     """French battery startup Helios Batteries said on Tuesday production at its gigafactory in Dunkirk would start in spring 2027, six months later than planned, because of delays in the delivery of cell-making machines from South Korea.

The 1.6 billion euro plant, whose first stone was laid in January, will make lithium iron phosphate batteries for electric cars. Helios raised 600 million euros in June.

The company, which employs 420 people, said the delay did not affect its financing or its supply contract with a French carmaker.

The European battery industry faces fierce competition from Chinese makers and slower than expected sales of electric cars. Helios was founded in Grenoble by two former engineers of the French atomic energy commission. Helios has hired 420 people so far."""),
    # --- harvests --------------------------------------------------------------------------------------
    ("vendanges-2024", "2024-11-07T11:30:00+01:00", "AFP", "fr",
     "Vendanges 2024 : la récolte de vin française chute de 23 %, au plus bas depuis 1957",
     """La production de vin française a atteint 36,9 millions d'hectolitres en 2024, en baisse de 23 % sur un an, selon l'estimation publiée jeudi par le service statistique du ministère de l'Agriculture. C'est la plus faible récolte depuis 1957.

Un printemps très pluvieux a favorisé le mildiou, tandis que la grêle et le gel ont frappé la Bourgogne, le Jura et la Champagne. Le Jura perd 71 % de sa production.

Seul le Languedoc-Roussillon, qui sortait de deux années de sécheresse, voit sa récolte progresser légèrement.

La Champagne, touchée par le mildiou, perd 22 % de sa production. Les vignerons du Bordelais, déjà confrontés à une crise de surproduction, voient leur récolte reculer de 19 %. Les cours du vin en vrac sont restés stables."""),
    ("vendanges-2025", "2025-11-06T11:00:00+01:00", "AFP", "fr",
     "Vendanges 2025 : une récolte de vin en hausse de 12 %, mais sous la moyenne",
     """La production de vin française est estimée à 41,3 millions d'hectolitres en 2025, en hausse de 12 % par rapport à 2024, selon le ministère de l'Agriculture. Elle reste toutefois inférieure de 8 % à la moyenne des cinq dernières années.

La Bourgogne et le Jura retrouvent des volumes normaux après une année 2024 catastrophique. En revanche, la canicule de juillet et la sécheresse ont réduit la récolte dans le Bordelais et le Languedoc.

Les vendanges ont commencé dès le 11 août dans certaines parcelles du Gard, un record de précocité.

La qualité du millésime est jugée « très prometteuse » en Bourgogne et en Champagne. Dans le Bordelais, l'arrachage de 8 000 hectares de vignes, financé par l'État, a aussi pesé sur les volumes."""),
    ("vendanges-en-2024", "2024-11-07T16:00:00+01:00", "Reuters", "en",
     "French wine output hits lowest level since 1957 after wet spring",
     """France's wine production fell 23% this year to 36.9 million hectolitres, the lowest since 1957, the farm ministry said on Thursday, as a rainy spring spread mildew and hail and frost hit Burgundy, Jura and Champagne.

The Jura region lost 71% of its output. Only Languedoc-Roussillon, recovering from two years of drought, saw a slight increase.

The small harvest comes as French winemakers struggle with falling wine consumption and are uprooting vines with state support.

Champagne lost 22% of its output to mildew, while Bordeaux, already suffering from overproduction, saw its harvest fall 19%, the ministry said. Burgundy's output also fell sharply after spring frost and summer hail. French winemakers have been uprooting thousands of hectares of vines with state support to reduce a wine glut, while exports to China and the United States have slowed."""),
    # --- Pyrénées-Orientales: the drought --------------------------------------------------------------
    ("eau-2024-02", "2024-02-14T14:00:00+01:00", "L'Indépendant", "fr",
     "Sécheresse : les Pyrénées-Orientales en crise, l'arrosage et le remplissage des piscines interdits",
     """Le préfet des Pyrénées-Orientales a placé mercredi 14 février l'ensemble du département en situation de crise sécheresse, le niveau le plus élevé. L'arrosage des jardins, le lavage des voitures et le remplissage des piscines sont interdits jusqu'à nouvel ordre.

Il n'est tombé que 250 millimètres de pluie à Perpignan en 2023, deux fois moins que la normale. Les nappes du Roussillon sont à leur plus bas niveau depuis le début des mesures.

Les agriculteurs doivent réduire leurs prélèvements de 50 %. Quatre communes des Albères sont ravitaillées en eau par camion-citerne.

Le département a demandé l'aide de l'État pour financer des forages d'urgence et des interconnexions entre les réseaux d'eau potable. Les stations de ski des Pyrénées catalanes ont dû fermer plusieurs pistes faute de neige."""),
    ("eau-2024-05", "2024-05-22T10:30:00+02:00", "AFP", "fr",
     "Pyrénées-Orientales : les pluies d'avril ne suffisent pas, la crise sécheresse maintenue",
     """Malgré 90 millimètres de pluie tombés en avril, le préfet des Pyrénées-Orientales maintient le département en situation de crise sécheresse. Les nappes profondes du Roussillon restent à des niveaux « historiquement bas ».

Le remplissage des piscines privées reste interdit pour l'été, une mesure contestée par les professionnels du secteur, qui estiment à 200 le nombre d'emplois menacés.

Le département prépare un plan de réutilisation des eaux usées traitées pour l'arrosage des golfs et des espaces verts, financé à hauteur de 12 millions d'euros par l'agence de l'eau.

Les viticulteurs et les arboriculteurs, privés d'une partie de l'irrigation, redoutent une troisième année de récoltes réduites. La chambre d'agriculture estime les pertes de l'an dernier à 80 millions d'euros. Les golfs du département ont déjà réduit leur arrosage de moitié."""),
    ("eau-2025-03", "2025-03-18T17:40:00+01:00", "L'Indépendant", "fr",
     "Sécheresse : après deux ans, les Pyrénées-Orientales sortent de la crise",
     """Le préfet des Pyrénées-Orientales a levé mardi 18 mars la situation de crise sécheresse, en vigueur dans le département depuis février 2024. Les pluies abondantes de l'automne et de l'hiver, 480 millimètres depuis octobre à Perpignan, ont permis aux nappes de remonter.

Le département passe en situation d'alerte renforcée : l'arrosage est de nouveau autorisé la nuit et le remplissage des piscines redevient possible sous conditions.

« La sécheresse n'est pas derrière nous, les nappes profondes mettront des années à se reconstituer », prévient le président de la chambre d'agriculture.

Les retenues d'eau du département sont remplies à 85 %, contre 30 % il y a un an. Le barrage de Vinça, qui avait presque été vidé, a retrouvé un niveau normal."""),
    ("eau-2025-08", "2025-08-20T12:15:00+02:00", "AFP", "fr",
     "Canicule et sécheresse : les Pyrénées-Orientales de nouveau en alerte renforcée",
     """Après un mois de juillet caniculaire, le préfet des Pyrénées-Orientales a replacé mercredi 20 août le département en alerte renforcée sécheresse. Il est tombé 8 millimètres de pluie à Perpignan depuis le 1er juin.

L'arrosage des jardins est interdit de 8 heures à 20 heures, et les prélèvements agricoles sont réduits de 30 %. Le remplissage des piscines reste autorisé.

La station de réutilisation des eaux usées de Perpignan, mise en service en juin, fournit déjà 4 000 mètres cubes par jour pour l'arrosage des espaces verts.

Les agriculteurs, qui ont connu une meilleure récolte au printemps, craignent pour les vendanges. Le préfet rappelle que les mesures de restriction seront réexaminées chaque semaine par le comité ressource en eau. Les piscines publiques restent ouvertes aux horaires habituels."""),
    # --- the Avignon festival --------------------------------------------------------------------------
    ("avignon-2024", "2024-07-21T13:00:00+02:00", "AFP", "fr",
     "Festival d'Avignon : 115 000 billets vendus, une fréquentation record malgré les Jeux",
     """Le Festival d'Avignon s'est achevé dimanche 21 juillet sur une fréquentation record : 115 000 billets ont été vendus pour les spectacles du In, soit un taux de remplissage de 94 %, a annoncé la direction.

Avancé de deux semaines en raison des Jeux olympiques de Paris, le festival a présenté 42 spectacles. L'espagnol était la langue invitée de cette édition.

Le Off, qui réunissait 1 600 spectacles dans 140 lieux, revendique de son côté 1,6 million d'entrées.

Le directeur du festival a salué « une édition joyeuse et politique », marquée par des débats sur les élections législatives. Les spectacles en espagnol ont attiré un public venu d'Espagne et d'Amérique latine. Le prix moyen d'une place s'élevait à 30 euros. La prochaine édition se tiendra en juillet, aux dates habituelles."""),
    ("avignon-2025", "2025-07-26T12:45:00+02:00", "AFP", "fr",
     "Festival d'Avignon : 110 000 billets vendus, une édition marquée par la canicule",
     """Le Festival d'Avignon s'est achevé samedi 26 juillet avec 110 000 billets vendus, un taux de remplissage de 92 %, en léger recul par rapport au record de 2024.

La canicule a contraint la direction à décaler plusieurs représentations en plein air après 22 heures et à annuler deux matinées. L'arabe était la langue invitée de cette édition.

Le Off a accueilli 1 700 spectacles, un record. Ses organisateurs s'inquiètent toutefois de la hausse des loyers des salles, passée de 12 % en un an.

Deux spectacles en arabe, venus du Liban et de Tunisie, ont affiché complet dès l'ouverture de la billetterie. La direction a annoncé que l'édition 2026 aurait pour langue invitée le portugais. Le prix moyen d'une place est resté stable, à 30 euros, pour la troisième année consécutive."""),
    # --- a few single stories -------------------------------------------------------------------------
    ("marathon-2025", "2025-04-13T15:30:00+02:00", "L'Équipe", "fr",
     "Marathon de Paris : 56 000 coureurs à l'arrivée, record de participation battu",
     """Le marathon de Paris a battu son record de participation dimanche 13 avril : 56 000 coureurs ont franchi la ligne d'arrivée avenue Foch, contre 54 000 en 2024.

La course masculine a été remportée en 2 h 06 min 12 s par un Kényan, la course féminine en 2 h 21 min 40 s par une Éthiopienne. Le meilleur Français a pris la 14e place.

Les organisateurs ont relevé une température de 14 °C au départ, des conditions jugées idéales. Les inscriptions pour l'édition 2026 ouvriront en juin.

Les organisateurs ont recensé 300 abandons liés à des malaises, un chiffre en baisse. La course a généré 8 tonnes de déchets, dont 60 % ont été recyclés, selon la mairie de Paris."""),
    ("salon-agri-2025", "2025-03-02T18:00:00+01:00", "AFP", "fr",
     "Salon de l'agriculture : 607 000 visiteurs, en hausse de 2 %",
     """Le Salon international de l'agriculture a fermé ses portes dimanche 2 mars à Paris après avoir accueilli 607 503 visiteurs, en hausse de 2 % par rapport à 2024, ont annoncé les organisateurs.

Cette 61e édition s'est déroulée dans le calme, contrairement à celle de 2024, marquée par des heurts lors de l'inauguration. La vache égérie, une Bazadaise prénommée Oupette, a attiré les foules.

Les organisateurs ont recensé 1 000 exposants et 4 000 animaux.

Les organisateurs se félicitent d'une fréquentation familiale en hausse, avec 150 000 enfants accueillis. Les ventes de produits régionaux ont progressé de 5 %, selon les exposants. Le Salon a également accueilli 80 délégations étrangères. Les débats sur les revenus agricoles et sur l'accord commercial avec le Mercosur ont été nombreux dans les allées, mais sans incident."""),
    ("pont-2025-12", "2025-12-11T09:00:00+01:00", "Ouest-France", "fr",
     "Saint-Nazaire : le pont fermé deux nuits par semaine pour travaux jusqu'en mars",
     """Le pont de Saint-Nazaire sera fermé à la circulation deux nuits par semaine, le mardi et le mercredi de 21 heures à 6 heures, du 5 janvier au 26 mars, pour le remplacement de ses joints de chaussée, a annoncé jeudi le département de Loire-Atlantique.

Une déviation par Nantes, soit 110 kilomètres, est mise en place. Un bus de nuit gratuit assurera la traversée pour les salariés des chantiers navals.

Les travaux coûtent 8,5 millions d'euros. Le pont, ouvert en 1975, voit passer 32 000 véhicules par jour.

Les joints de chaussée, qui permettent au tablier de se dilater, n'avaient pas été remplacés depuis 1998. Le département prévoit une seconde tranche de travaux, sur les glissières de sécurité, à l'automne suivant."""),
]
