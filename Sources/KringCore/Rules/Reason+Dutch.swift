/// The Dutch table (Flemish usage, as docs/web.md gives the words): the sentences of the pages
/// in Dutch. Amounts are written `1,5 u`, days as the ISO date the forms take.
extension Reason {
    /// The sentence in Dutch.
    public var dutch: String {
        func u(_ m: Minutes) -> String { m.dutch }
        func list(_ ids: [some CustomStringConvertible]) -> String { ids.map(\.description).joined(separator: ", ") }
        func clock(_ m: Int64) -> String { SpaceHours.clock(m) }
        switch self {
        case let .reservedHandle(id, reserved):
            return "\(id) is de naam van een handelende partij in het journaal (\(reserved.joined(separator: ", "))) en kan geen id van een lid zijn."
        case let .memberExists(id): return "Er is al een lid met id \(id)."
        case .onePool: return "Er is precies één solidariteitspot; die bestaat sinds het grootboek werd aangemaakt."
        case let .notActiveToSuspend(name, status): return "\(name) is \(status.dutch), niet actief; alleen een actief lid kan geschorst worden."
        case .poolSuspended: return "De solidariteitspot kan niet geschorst worden."
        case let .notSuspendedToReinstate(name, status): return "\(name) is \(status.dutch), niet geschorst; alleen een geschorst lid kan hersteld worden."
        case let .onlySelfEndsMembership(id): return "Alleen \(id) of een coördinator kan het lidmaatschap van \(id) beëindigen."
        case .poolLeaves: return "De solidariteitspot kan niet vertrekken."
        case let .alreadyLeft(name): return "\(name) is al vertrokken."
        case .noPool: return "Het grootboek heeft geen solidariteitspot; voer init uit."
        case let .leaveDebt(name, debt, pool, floor):
            return "\(name) vertrekt met een schuld van \(u(debt)); de solidariteitspot heeft \(u(pool)) en mag niet onder \(u(floor)) gaan. Schenk eerst aan de solidariteitspot."
        case let .limitsAfterLeaving(name): return "\(name) is vertrokken; de grenzen gelden niet meer."
        case let .floorAboveZero(f): return "Een ondergrens is nul of lager, niet \(u(f))."
        case let .ceilingBelowZero(c): return "Een bovengrens is nul of hoger, niet \(u(c))."
        case let .floorAboveBalance(name, balance, floor): return "Het saldo van \(name) is \(u(balance)); met een ondergrens van \(u(floor)) zou het onder de ondergrens staan."
        case let .ceilingBelowBalance(name, balance, ceiling): return "Het saldo van \(name) is \(u(balance)); met een bovengrens van \(u(ceiling)) zou het boven de bovengrens staan."
        case let .inactive(name, status): return "\(name) is \(status.dutch) en kan niet uitwisselen."
        case let .coordinatorOnly(task):
            let what = switch task {
            case .registerMembers: "leden inschrijven"
            case .suspendMembers: "leden schorsen"
            case .reinstateMembers: "leden herstellen"
            case .changeLimits: "de grenzen van een lid wijzigen"
            case .changePolicy: "het reglement wijzigen"
            case .recordExchange: "een uitwisseling met beide akkoorden boeken"
            case .reverseExchange: "een uitwisseling terugdraaien"
            case .introduceMembers: "leden aan elkaar voorstellen"
            }
            return "Alleen een coördinator kan \(what)."
        case let .notFound(missing):
            switch missing {
            case .member(let id): return "Er is geen lid \(id)."
            case .exchange(let id): return "Er is geen uitwisseling \(id)."
            case .listing(let id): return "Er is geen aanbod of vraag \(id)."
            case .offer(let id): return "Er is geen aanbod \(id)."
            case .booking(let id): return "Er is geen reservatie \(id)."
            case .loan(let id): return "Er is geen uitlening \(id)."
            case .challenge(let id): return "Er is geen uitdaging \(id)."
            case .token(let id): return "Er is geen token \(id)."
            case .login(let id): return "Er is geen login \(id)."
            }
        case let .notADomain(d, domains): return "\(d) is geen beleidsdomein; de domeinen zijn \(domains.joined(separator: ", "))."

        case let .policyQuantum(q): return "De eenheid is 1 minuut tot 24 u, niet \(u(q))."
        case let .policyLargestExchange(m): return "De grootste uitwisseling is meer dan nul, niet \(u(m))."
        case let .policyPairCap(m): return "Het plafond per paar is meer dan nul, niet \(u(m))."
        case let .policyWarningMargin(m): return "De waarschuwingsmarge is nul of meer, niet \(u(m))."
        case let .policyDays(window, least, most, got):
            let name = switch window {
            case .pairWindow: "De periode per paar"
            case .backdating: "De periode om terug te dateren"
            case .proposalExpiry: "De looptijd van een voorstel"
            }
            return "\(name) is \(least) tot \(most) dagen, niet \(got)."
        case let .policyGroupSize(most, got): return "Een groep heeft 1 tot \(most) leden aan de grote kant, niet \(got)."
        case let .policyDomains(ds): return "De beleidsdomeinen zijn verschillende namen in kleine letters (letters, cijfers, streepjes), niet \(ds.joined(separator: ","))."
        case let .policyNoLimits(kind): return "Het reglement heeft geen grenzen voor \(kind.dutch)."
        case let .policyFloor(kind, f): return "Een ondergrens is nul of lager; die van \(kind.dutch) is \(u(f))."
        case let .policyCeiling(kind, c): return "Een bovengrens is nul of hoger; die van \(kind.dutch) is \(u(c))."
        case .policyEarnedFloor: return "Een verdiende ondergrens begint niet dieper dan haar diepste punt, met bedragen van nul of meer."
        case let .policyAmount(setting, value): return "\"\(value)\" is geen bedrag voor \(setting) (bijvoorbeeld 20u, 1:30 of 90m)."
        case let .policyWholeNumber(setting, value): return "\(setting) is een geheel getal, niet \(value)."
        case let .policyOnOff(setting, value): return "\(setting) is on of off, niet \(value)."
        case let .policyExpiryAction(value): return "expiry-action is expire of auto-confirm, niet \(value)."
        case let .policyTimeZone(value): return "time-zone is de naam van een tijdzone, zoals Europe/Brussels, niet \(value)."
        case let .policyEarnedFloorText(value): return "earned-floor is START,PER-UUR-GEGEVEN,DIEPSTE (bijvoorbeeld 5h,30m,20h) of off; niet \(value)."
        case let .policyUnknownSetting(name, known): return "Onbekende instelling \(name); bekend zijn: \(known.joined(separator: ", "))."

        case .proposalNeedsProposer: return "Een voorstel komt van een van de partijen; zeg wie voorstelt, of boek het als coördinator."
        case let .proposerNotParty(m): return "\(m) geeft of ontvangt niet in deze uitwisseling en kan ze niet voorstellen."
        case let .alreadyConsented(m, id, waiting): return "\(m) heeft \(id) al bevestigd; ze wacht nog op \(list(waiting))."
        case let .proposerRejects(m, id): return "\(m) heeft \(id) voorgesteld; wie voorstelt, trekt in in plaats van te weigeren."
        case let .consentGiven(m, id): return "\(m) heeft \(id) al bevestigd."
        case let .onlyProposerCancels(p, id): return "Alleen wie voorstelde, \(p?.description ?? "niemand"), kan \(id) intrekken; de andere kant weigert."
        case .expiresByItself: return "Voorstellen verlopen vanzelf."
        case let .notDueToExpire(id, state): return "\(id) is \(state.dutch) en verloopt nog niet."
        case let .alreadyReversed(id, reason): return "\(id) werd al teruggedraaid (\(reason)); een uitwisseling wordt maar één keer teruggedraaid."
        case let .reverseNeedsConfirmed(id, state): return "\(id) is \(state.dutch); alleen een bevestigde uitwisseling kan teruggedraaid worden."
        case let .settledCannotReverse(name, id): return "\(name) is vertrokken en het saldo werd verrekend; \(id) kan niet meer teruggedraaid worden."
        case let .consentNeedsMember(step): return "Zeg welke partij \(step.dutchInfinitive) wil; akkoord geeft een lid."
        case let .notParty(m, id, step): return "\(m) neemt geen deel aan \(id) en kan ze niet \(step.dutchInfinitive)."
        case let .notProposed(id, state, step): return "\(id) is \(state.dutch); alleen een voorgestelde uitwisseling kan \(step.dutchParticiple) worden."
        case .groupEmpty: return "Een uitwisseling heeft minstens één gever en één ontvanger."
        case let .groupShape(p, r):
            return "Een groepsuitwisseling heeft één gever en meerdere ontvangers, of meerdere gevers en één ontvanger; niet \(p) en \(r)."
        case let .groupTooLarge(most, got): return "Een groepsuitwisseling heeft hoogstens \(most) leden aan de grote kant, niet \(got)."
        case .groupDuplicate: return "Een lid staat twee keer aan dezelfde kant van de uitwisseling."
        case let .selfExchange(m): return "\(m) kan in één uitwisseling niet tegelijk geven en ontvangen."
        case .poolInExchange: return "De solidariteitspot neemt alleen deel aan schenkingen en toekenningen, niet aan uitwisselingen."
        case let .negativeCredits(c): return "Tijdskrediet kan niet negatief zijn (\(u(c)))."
        case .timeGift: return "Alleen ruimte en goederen kunnen een gift zijn; een uitwisseling van tijd verrekent de gewerkte tijd."
        case let .quantum(q, got): return "Tijdskrediet is een veelvoud van \(u(q)); \(u(got)) is dat niet."
        case let .largestExchange(most, got): return "Eén uitwisseling verrekent hoogstens \(u(most)) per paar; \(u(got)) is meer."
        case let .quantityNotPositive(q): return "De hoeveelheid moet groter zijn dan nul, niet \(q)."
        case let .quantityTooLarge(q, kind, most): return "De hoeveelheid \(q) \(kind.dutchMeasure) is meer dan het toegelaten maximum, \(most)."
        case let .equalTime(worked, credits):
            return "Een uur is een uur: \(u(worked)) gewerkt is \(u(worked)) tijdskrediet, niet \(u(credits)). Alleen een coördinator kan anders boeken, met een reden."
        case let .futureDate(date, today): return "De uitwisseling is gedateerd op \(date), in de toekomst; vandaag is het \(today)."
        case let .backdated(date, days, earliest): return "De uitwisseling is gedateerd op \(date), meer dan \(days) dagen geleden; de vroegste toegelaten datum is \(earliest)."
        case let .pairCap(a, b, already, days, more, cap):
            return "\(a) en \(b) wisselden de laatste \(days) dagen al \(u(already)) uit; nog \(u(more)) zou het plafond van \(u(cap)) overschrijden."
        case .transferNotPositive: return "Een overboeking verplaatst een positief bedrag tussen twee rekeningen."
        case .postingsUnbalanced: return "De boekingen zijn samen niet nul."
        case let .poolBelowFloor(holds, paying, to, floor):
            return "De solidariteitspot heeft \(u(holds)); \(u(paying)) betalen zou hem op \(u(to)) brengen, onder zijn ondergrens van \(u(floor))."
        case let .belowFloor(name, posting, to, floor): return "\(u(posting)) boeken zou \(name) op \(u(to)) brengen, onder de ondergrens van \(u(floor))."
        case let .aboveCeiling(name, receiving, to, ceiling): return "\(u(receiving)) ontvangen zou \(name) op \(u(to)) brengen, boven de bovengrens van \(u(ceiling))."

        case let .onlySelfDonates(m): return "Alleen \(m) of een coördinator kan het tijdskrediet van \(m) schenken."
        case .poolDonatesToItself: return "De solidariteitspot kan niet aan zichzelf schenken."
        case .grantNeedsCoordinator: return "Toekenningen uit de solidariteitspot vragen een coördinator."
        case .poolGrantsToItself: return "De solidariteitspot kan niet aan zichzelf toekennen."
        case let .amountNotPositive(m): return "Het bedrag moet groter zijn dan nul, niet \(u(m))."
        case let .amountUnreadable(text): return "\"\(text)\" is geen aantal uren; schrijf 1,5, 1:30 of 90m."
        case let .dateUnreadable(text): return "\"\(text)\" is geen datum; schrijf ze als 2026-12-03."
        case let .daysUnreadable(text): return "\"\(text)\" is geen aantal dagen; schrijf een getal, zoals 30."

        case let .textForbidden(field, scalar, position):
            return "\(field.dutch) kan geen stuurtekens of richtingswissels bevatten; er staat U+\(Reason.hex(scalar)) op positie \(position)."
        case let .textEmpty(field): return "\(field.dutch) kan niet leeg zijn (of alleen onzichtbare tekens bevatten)."
        case let .textTooLong(field, most, got): return "\(field.dutch) is hoogstens \(most) tekens lang, niet \(got)."

        case .poolPosts: return "De solidariteitspot plaatst geen aanbod of vraag."
        case let .listingWithdrawn(id): return "\(id) werd ingetrokken; een ingetrokken zoekertje blijft in de geschiedenis maar verandert niet meer."
        case let .onlyAuthor(author, task): return "Alleen \(author), de auteur, of een coördinator kan dit zoekertje \(task.dutchInfinitive)."
        case let .listingDays(most, got): return "Een zoekertje blijft 1 tot \(most) dagen staan, niet \(got)."
        case let .joinBeforePosting(m, ch): return "\(m) doet eerst mee aan \(ch) en plaatst dan iets voor die uitdaging."
        case let .tooManyLinks(most, got): return "Een uitwisseling verwijst naar hoogstens \(most) zoekertjes, niet \(got)."
        case .linkedTwice: return "Een zoekertje staat er twee keer bij."
        case let .noneJoined(ch): return "Niemand in deze uitwisseling doet mee aan \(ch); doe eerst mee."
        case let .withdrawnCannotFulfil(id): return "\(id) werd ingetrokken en kan niet meer vervuld worden."
        case let .offerNeedsProvider(id, author): return "\(id) is aanbod van \(author); alleen een uitwisseling waarin \(author) geeft, kan het vervullen."
        case let .requestNeedsReceiver(id, author): return "\(id) is een vraag van \(author); alleen een uitwisseling waarin \(author) ontvangt, kan ze vervullen."
        case let .alreadyFulfilled(id, by): return "\(id) werd al vervuld door \(by)."

        case let .bookingCancelled(id): return "\(id) werd geannuleerd."
        case let .sessionCredits(id, length, got): return "\(id) is een sessie van \(u(length)), uur voor uur verrekend met \(u(length)) tijdkrediet, niet \(u(got))."
        case .importSource: return "Een geïmporteerde uitwisseling noemt haar bronbestand bij zijn SHA-256 (64 hexadecimale cijfers) en een rij vanaf 1."
        case let .notOpenToIntroduce(id): return "\(id) staat niet meer open (ingetrokken, beantwoord of verlopen); alleen open zoekertjes worden voorgesteld."
        case let .introduceToSelf(author): return "\(author) schreef zowel de vraag als het aanbod; een kennismaking is tussen twee leden."
        case let .alreadyIntroduced(request, offer): return "\(request) en \(offer) werden al aan elkaar voorgesteld."
        case let .bookingSettled(id, by): return "\(id) werd al verrekend met \(by)."
        case let .bookingNotOver(id, date, end): return "\(id) eindigt op \(date) om \(clock(end)); een reservatie wordt na afloop verrekend."
        case let .bookingSettlement(id, kind, owner, member):
            return "\(id) wordt verrekend met een uitwisseling van \(kind.dutch) van \(owner?.description ?? "wie het aanbiedt") aan \(member)."
        case let .sessionLength(least, most, quantum, got):
            return "Een sessie duurt \(least) tot \(most) minuten, in stappen van \(quantum), niet \(got)."
        case let .sessionNeeded(offer): return "\(offer) biedt tijd aan: de uren hebben een sessieduur nodig (het uur van een expert wordt per sessie gereserveerd)."
        case let .questionNeeded(offer): return "Een sessie van \(offer) reserveer je met de vraag die je wilt stellen, op één regel."
        case .questionOneLine: return "Een vraag is één regel."
        case .questionForSessions: return "Een vraag hoort bij de reservatie van een sessie bij een expert, niet van een ruimte."
        case let .onlyOwnerSetsHours(author): return "Alleen \(author), van wie de ruimte is, of een coördinator stelt de openingsuren in."
        case let .capacityRange(most, got): return "Een capaciteit is 1 tot \(most) personen, niet \(got)."
        case .hoursShape: return "Openingsuren zijn 7 dagen met tijdvakken binnen 00:00-24:00."
        case let .onlySelfBooks(m): return "Alleen \(m) of een coördinator reserveert voor \(m)."
        case let .noHours(offer): return "\(offer) heeft nog geen openingsuren; de eigenaar stelt ze in."
        case let .ownSpace(m): return "\(m) kan de eigen ruimte niet reserveren."
        case let .bookingDay(today, most, got): return "Een reservatie is voor vandaag (\(today)) tot \(most) dagen vooruit, niet \(got)."
        case let .bookingTimes(start, end): return "Een reservatie begint voor ze eindigt, binnen de dag: niet \(clock(start))-\(clock(end))."
        case let .skippedTime(date, minute, zone): return "Op \(date) bestaat \(clock(minute)) niet in \(zone): de klok springt dan vooruit."
        case let .slotOver(date, end): return "Dat moment is voorbij: het eindigde op \(date) om \(clock(end))."
        case let .notOpen(offer, date, start, end): return "\(offer) is op \(date) niet open van \(clock(start)) tot \(clock(end))."
        case let .peopleRange(offer, capacity, got): return "\(offer) biedt plaats aan \(capacity) personen; een reservatie is voor 1 tot \(capacity), niet \(got)."
        case let .capacityFull(offer, capacity, booked, date, start, end, more):
            return "\(offer) biedt plaats aan \(capacity) personen en \(booked) zijn al gereserveerd tijdens \(clock(start))-\(clock(end)) op \(date); nog \(more) is te veel."
        case let .onlyBookerCancels(m, id): return "Alleen \(m), die reserveerde, de eigenaar van de ruimte of een coördinator annuleert \(id)."
        case let .bookingAlreadyCancelled(id): return "\(id) werd al geannuleerd."
        case let .bookingOver(id): return "\(id) is voorbij; een voorbije reservatie wordt niet geannuleerd."
        case let .notSpace(id, kind): return "\(id) biedt \(kind.dutch) aan, geen ruimte."
        case let .offerWithdrawn(id): return "\(id) werd ingetrokken."

        case let .onlyLenderRecords(lender): return "Alleen \(lender), die uitleent, of een coördinator kan deze uitlening boeken."
        case let .lendToSelf(lender): return "\(lender) kan niet aan zichzelf uitlenen."
        case .poolLends: return "De solidariteitspot leent niets uit en leent niets."
        case let .loanDue(today, most, got): return "Een uitlening is terug tussen vandaag (\(today)) en \(most) dagen later, niet op \(got)."
        case let .notGoodsOffer(offer, lender): return "\(offer) is geen open aanbod van goederen van \(lender)."
        case let .onlyLenderReturns(lender, id): return "Alleen \(lender), die uitleent, of een coördinator boekt dat \(id) terug is."
        case let .alreadyReturned(id, on): return "\(id) is teruggebracht op \(on)."

        case let .onlySelfPostsChallenge(m): return "Alleen \(m) of een coördinator plaatst iets voor \(m)."
        case let .challengeAuthorKind(m, kind): return "Uitdagingen komen van de gemeente of een vereniging; \(m) is een \(kind.dutch)."
        case .challengeDomains: return "Een uitdaging noemt een of meer verschillende beleidsdomeinen."
        case let .challengeEnds(today, most, got): return "Een uitdaging eindigt tussen vandaag (\(today)) en \(most) dagen later, niet op \(got)."
        case let .onlySelfJoins(m): return "Alleen \(m) of een coördinator doet mee voor \(m)."
        case let .alreadyJoined(m, id): return "\(m) doet al mee aan \(id)."
        case let .onlySelfPledges(m): return "Alleen \(m) of een coördinator doet een toezegging voor \(m)."
        case let .joinBeforePledging(m, id): return "\(m) doet eerst mee aan \(id) en doet dan een toezegging."
        case let .onlyAuthorCloses(author, id): return "Alleen \(author), die \(id) plaatste, of een coördinator sluit ze af."
        case let .challengeAlreadyClosed(id): return "\(id) is al afgesloten."
        case let .challengeNotOpen(id, closed, ends): return "\(id) is \(closed ? "afgesloten" : "voorbij (ze eindigde op \(ends))")."

        case let .rangeReversed(from, to): return "De periode eindigt (\(to)) voor ze begint (\(from))."
        case let .statisticsDays(d): return "Statistieken gaan van 1970-01-01 tot 2199-12-31, niet \(d)."
        case let .rangeTooLong(most, from, to): return "Een rapport beslaat hoogstens \(most) dagen (ongeveer vijftig jaar); \(from) tot \(to) is langer."

        case let .noTokenForLeft(m): return "\(m) is vertrokken; er wordt geen token meer uitgereikt."
        case let .tokenExpiry(at, now): return "Een token vervalt in de toekomst, niet op \(at) (nu is het \(now))."
        case let .tokenRevoked(id): return "Token \(id) werd al ingetrokken."
        case .searchNoWord: return "Een zoekopdracht heeft minstens één woord."
        case let .searchTooManyWords(most, got): return "Een zoekopdracht heeft hoogstens \(most) woorden, niet \(got)."
        case let .noOpenRequest(id): return "Er is geen open vraag \(id)."
        case let .notExactHours(minutes, seq): return "\(minutes) minuten (bij seq \(seq)) is niet exact in uren met twee decimalen; exporteer met --unit minutes."

        case let .loginLabel(label): return "Het label van een login is 1 tot 30 kleine letters, cijfers en streepjes (zoals hotel-aerts/balie), niet \"\(label)\"."
        case let .loginRole(name, isCoordinator):
            return "\(name) is de login van \(isCoordinator ? "een coördinator" : "een lid"); nodig uit onder een ander label voor de andere rol."
        case let .passwordTooShort(least, got): return "Een wachtwoord heeft minstens \(least) tekens, niet \(got)."
        case let .passwordTooLong(most, got): return "Een wachtwoord heeft hoogstens \(most) tekens, niet \(got)."
        case .passwordCommon: return "Dit wachtwoord is een van de meest gebruikte; kies een ander."
        case .invitationUnknown: return "Deze uitnodiging is niet bekend; vraag de coördinator om een nieuwe."
        case .invitationUsed: return "Deze uitnodiging werd al gebruikt; meld je aan, of vraag de coördinator om een nieuwe."
        case let .invitationExpired(day): return "Deze uitnodiging is vervallen op \(day); vraag de coördinator om een nieuwe."
        case let .invitationDays(most, got): return "Een uitnodiging is 1 tot \(most) dagen geldig, niet \(got)."
        case let .noLoginForLeft(m): return "\(m) is vertrokken; er wordt geen login meer gemaakt."

        case let .nearFloor(name, at, margin, floor): return "\(name) staat op \(u(at)), binnen \(u(margin)) van de ondergrens van \(u(floor))."
        case let .nearCeiling(name, at, margin, ceiling): return "\(name) staat op \(u(at)), binnen \(u(margin)) van de bovengrens van \(u(ceiling))."

        case let .kept(text): return text
        }
    }
}

extension Minutes {
    /// Dutch form in hours: `3 u`, `1,5 u`, `1,25 u`, `-20 u`, or `1 u 07 min`.
    public var dutch: String {
        Minutes.format(value, point: ",", hour: "u")
    }
}

extension MemberStatus {
    /// The status in Dutch.
    public var dutch: String {
        switch self {
        case .active: return "actief"
        case .suspended: return "geschorst"
        case .left: return "vertrokken"
        }
    }
}

extension ExchangeState {
    /// The state in Dutch.
    public var dutch: String {
        switch self {
        case .proposed: return "voorgesteld"
        case .confirmed: return "bevestigd"
        case .rejected: return "geweigerd"
        case .cancelled: return "ingetrokken"
        case .expired: return "verlopen"
        case .reversed: return "teruggedraaid"
        }
    }
}

extension MemberKind {
    /// The kind in Dutch.
    public var dutch: String {
        switch self {
        case .person: return "bewoner"
        case .company: return "bedrijf"
        case .association: return "vereniging"
        case .initiative: return "burgerinitiatief"
        case .municipality: return "gemeente"
        case .pool: return "solidariteitspot"
        }
    }
}

extension ExchangeKind {
    /// The kind in Dutch.
    public var dutch: String {
        switch self {
        case .time: return "tijd"
        case .space: return "ruimte"
        case .goods: return "goederen"
        }
    }

    /// The measure of a quantity in Dutch.
    public var dutchMeasure: String {
        switch self {
        case .time, .space: return "minuten"
        case .goods: return "stuks"
        }
    }
}

extension ConsentStep {
    /// The step as a Dutch infinitive.
    public var dutchInfinitive: String {
        switch self {
        case .confirm: return "bevestigen"
        case .reject: return "weigeren"
        case .cancel: return "intrekken"
        }
    }

    /// The step as a Dutch past participle.
    public var dutchParticiple: String {
        switch self {
        case .confirm: return "bevestigd"
        case .reject: return "geweigerd"
        case .cancel: return "ingetrokken"
        }
    }
}

extension ListingTask {
    /// The task as a Dutch infinitive.
    public var dutchInfinitive: String {
        switch self {
        case .post: return "plaatsen"
        case .edit: return "wijzigen"
        case .withdraw: return "intrekken"
        case .renew: return "verlengen"
        }
    }
}

extension Field {
    /// The field as the subject of a Dutch sentence ("Een titel").
    public var dutch: String {
        switch self {
        case .id: return "Een id"
        case .name: return "Een naam"
        case .kind: return "Een soort"
        case .neighbourhood: return "Een wijk"
        case .domains, .domain: return "Een beleidsdomein"
        case .floor: return "Een ondergrens"
        case .ceiling: return "Een bovengrens"
        case .setting: return "Een instelling"
        case .value: return "Een waarde"
        case .providers: return "De gevers"
        case .receivers: return "De ontvangers"
        case .credits: return "Het tijdskrediet"
        case .quantity: return "De hoeveelheid"
        case .date: return "Een datum"
        case .what: return "Een omschrijving"
        case .reason: return "Een reden"
        case .session: return "Een sessieduur"
        case .question: return "Een vraag"
        case .title: return "Een titel"
        case .text: return "Een tekst"
        case .place: return "Een plaats"
        case .availability: return "Een beschikbaarheid"
        case .days: return "Een aantal dagen"
        case .links: return "De verwijzingen"
        case .challenge: return "Een uitdaging"
        case .capacity: return "Een capaciteit"
        case .weekly: return "Openingsuren"
        case .start: return "Een begin"
        case .end: return "Een einde"
        case .people: return "Een aantal personen"
        case .due: return "Een terugbrengdag"
        case .ends: return "Een einddag"
        case .offer: return "Een aanbod"
        case .member: return "Een lid"
        case .borrower: return "Wie leent"
        case .label: return "Een label"
        case .q: return "Een zoekopdracht"
        case .password: return "Een wachtwoord"
        case .role: return "Een rol"
        }
    }
}
